"""Comment periods, public comments, moderation and the adoption report through the API."""

import datetime
import threading
import time
import zoneinfo

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from tests.decisions import builders

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
URL = "/api/v1/consultations/"


def body(decision, opens_on, closes_on, **extra):
    return {
        "decision": decision.pk,
        "name": "征求意见公告",
        "date_made": str(opens_on),
        "opens_on": str(opens_on),
        "closes_on": str(closes_on),
        "channels": ["online"],
        **extra,
    }


def test_29_day_period_without_reason_is_refused(client_for, decision):
    opens = datetime.date(2026, 12, 1)
    response = client_for("editor").post(
        URL, body(decision, opens, opens + datetime.timedelta(days=29)), format="json"
    )
    assert response.status_code == 400
    assert "closes_on" in response.json()["errors"]
    assert "2026-12-31" in response.json()["detail"]  # the earliest lawful closing day
    assert "第十五条" in response.json()["detail"]


def test_30_day_period_is_accepted_and_records_the_rule(client_for, decision):
    opens = datetime.date(2026, 12, 1)
    response = client_for("editor").post(
        URL, body(decision, opens, opens + datetime.timedelta(days=30)), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["minimum_closes_on"] == "2026-12-31"
    assert response.json()["minimum_rule"] == "consultation_min_major_decision@v1"
    assert response.json()["period_days"] == 30


def test_shortened_period_with_reason_is_public(client_for, decision, users):
    opens = timezone.localdate()
    response = client_for("editor").post(
        URL,
        body(
            decision,
            opens,
            opens + datetime.timedelta(days=10),
            shortening_reason="防汛应急，需尽快实施",
        ),
        format="json",
    )
    assert response.status_code == 201, response.content
    client_for("publisher").post(f"{URL}{response.json()['id']}/publish/")
    public = client_for("anonymous").get(f"{URL}{response.json()['id']}/").json()
    assert public["shortening_reason"] == "防汛应急，需尽快实施"
    shortened = client_for("anonymous").get(f"{URL}?shortened=true").json()["results"]
    assert [c["id"] for c in shortened] == [response.json()["id"]]


def test_normative_documents_use_their_own_minimum(client_for, decision):
    opens = datetime.date(2026, 9, 30)  # 7 working days across National Day: 2026-10-15
    too_short = body(
        decision, opens, datetime.date(2026, 10, 14), document_type="normative_document"
    )
    assert client_for("editor").post(URL, too_short, format="json").status_code == 400
    enough = body(decision, opens, datetime.date(2026, 10, 15), document_type="normative_document")
    assert client_for("editor").post(URL, enough, format="json").status_code == 201


def test_withheld_decision_is_not_consulted(client_for, departments, users, catalogue):
    secret = builders.decision(
        departments["fgw"],
        users["editor"],
        catalogue,
        confidentiality="draft_withheld",
        confidentiality_ground="依法保密",
    )
    opens = datetime.date(2026, 12, 1)
    response = client_for("editor").post(
        URL, body(secret, opens, opens + datetime.timedelta(days=30)), format="json"
    )
    assert response.status_code == 400 and "decision" in response.json()["errors"]


@pytest.fixture
def open_period(decision, users):
    return builders.to_consultation(decision, users["editor"], users["publisher"])


def test_extend_but_never_shorten(client_for, open_period):
    url = f"{URL}{open_period.pk}/extend/"
    new_close = open_period.closes_on + datetime.timedelta(days=10)
    shorter = {"closes_on": str(open_period.closes_on - datetime.timedelta(days=1)), "notice": "x"}
    response = client_for("publisher").post(url, shorter, format="json")
    assert response.status_code == 400 and "closes_on" in response.json()["errors"]
    no_notice = client_for("publisher").post(url, {"closes_on": str(new_close)}, format="json")
    assert no_notice.status_code == 400 and "notice" in no_notice.json()["errors"]
    ok = client_for("publisher").post(
        url, {"closes_on": str(new_close), "notice": "应群众要求延长10日"}, format="json"
    )
    assert ok.status_code == 200
    public = client_for("anonymous").get(f"{URL}{open_period.pk}/").json()
    assert public["closes_on"] == str(new_close)
    assert public["extension_notice"] == "应群众要求延长10日"
    amend = client_for("publisher").post(
        f"{URL}{open_period.pk}/amend/",
        {"closes_on": str(open_period.opens_on + datetime.timedelta(days=31)), "reason": "改"},
        format="json",
    )
    assert amend.status_code == 400 and "closes_on" in amend.json()["errors"]


def _at(monkeypatch, local_datetime):
    instant = local_datetime.replace(tzinfo=SHANGHAI)
    monkeypatch.setattr(timezone, "now", lambda: instant)


def _comment(client, period, content="建议在学校周边设置限时免费停车", **extra):
    return client.post(f"{URL}{period.pk}/comments/", {"content": content, **extra}, format="json")


def test_closing_day_boundary_in_shanghai(client_for, open_period, monkeypatch):
    close = open_period.closes_on
    _at(monkeypatch, datetime.datetime.combine(close, datetime.time(23, 59, 59)))
    assert _comment(client_for("anonymous"), open_period).status_code == 201
    _at(
        monkeypatch,
        datetime.datetime.combine(close + datetime.timedelta(days=1), datetime.time(0, 0)),
    )
    late = _comment(client_for("anonymous"), open_period)
    assert late.status_code == 400
    assert str(close) in late.json()["detail"]


def test_not_open_before_opening_day(client_for, decision, users):
    opens = timezone.localdate() + datetime.timedelta(days=3)
    period = builders.consultation(
        decision, users["editor"], publisher=users["publisher"], opens_on=opens
    )
    response = _comment(client_for("anonymous"), period)
    assert response.status_code == 400 and str(opens) in response.json()["detail"]


def test_comment_validation(client_for, open_period):
    client = client_for("anonymous")
    assert _comment(client, open_period, content="").status_code == 400
    too_long = _comment(client, open_period, content="字" * 5001)
    assert too_long.status_code == 400 and "content" in too_long.json()["errors"]


def test_contact_is_never_public_and_moderation(client_for, open_period):
    created = _comment(
        client_for("anonymous"), open_period, author_name="李四", contact="13800138000"
    )
    assert created.status_code == 201
    assert "contact" not in created.json()
    comment_id = created.json()["id"]
    public = client_for("anonymous").get(f"{URL}{open_period.pk}/comments/").json()
    assert public["results"] == []  # not yet moderated
    moderate = f"/api/v1/comments/{comment_id}/moderate/"
    missing = client_for("editor").post(moderate, {"publish": False}, format="json")
    assert missing.status_code == 400 and "rejection_reason" in missing.json()["errors"]
    assert client_for("editor").post(moderate, {"publish": True}, format="json").status_code == 200
    public = client_for("anonymous").get(f"{URL}{open_period.pk}/comments/").content.decode()
    assert "李四" in public and "13800138000" not in public
    staff = client_for("editor").get(f"/api/v1/comments/{comment_id}/").json()
    assert staff["contact"] == "13800138000"
    rejected = _comment(client_for("anonymous"), open_period, content="广告：出售发票")
    client_for("editor").post(
        f"/api/v1/comments/{rejected.json()['id']}/moderate/",
        {"publish": False, "rejection_reason": "spam"},
        format="json",
    )
    listed = client_for("anonymous").get(f"{URL}{open_period.pk}/comments/").content.decode()
    assert "出售发票" not in listed
    assert client_for("anonymous").get(f"{URL}{open_period.pk}/").json()["published_comments"] == 1


def test_comment_rate_limit(client_for, open_period, settings):
    cache.clear()
    settings.REGISTRY_COMMENT_RATE = "3/minute"
    client = client_for("anonymous")
    statuses = [_comment(client, open_period).status_code for _ in range(4)]
    assert statuses == [201, 201, 201, 429]
    limited = _comment(client, open_period)
    assert int(limited["Retry-After"]) > 0
    assert limited.json()["detail"]
    cache.clear()


def test_adoption_report_after_closing_with_reasons_and_counts(
    client_for, open_period, users, monkeypatch
):
    comment = _comment(client_for("anonymous"), open_period).json()
    client_for("editor").post(
        f"/api/v1/comments/{comment['id']}/moderate/", {"publish": True}, format="json"
    )
    report = (
        client_for("editor")
        .post(
            "/api/v1/adoption-reports/",
            {"consultation": open_period.pk, "name": "意见采纳情况", "date_made": "2026-11-28"},
            format="json",
        )
        .json()
    )
    items = f"/api/v1/adoption-reports/{report['id']}/items/"
    no_reason = client_for("editor").post(
        items, {"comment": comment["id"], "outcome": "not_adopted"}, format="json"
    )
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    client_for("editor").post(
        items, {"comment": comment["id"], "outcome": "adopted"}, format="json"
    )
    client_for("editor").post(
        items,
        {"theme": "收费时段", "outcome": "not_adopted", "reason": "与上位法不符"},
        format="json",
    )
    early = client_for("publisher").post(f"/api/v1/adoption-reports/{report['id']}/publish/")
    assert early.status_code == 400 and "尚未截止" in early.json()["detail"]
    later = timezone.now() + datetime.timedelta(days=40)
    monkeypatch.setattr(timezone, "now", lambda: later)
    published = client_for("publisher").post(f"/api/v1/adoption-reports/{report['id']}/publish/")
    assert published.status_code == 200, published.content
    public = client_for("anonymous").get(f"/api/v1/adoption-reports/{report['id']}/").json()
    assert public["counts"] == {"adopted": 1, "partly_adopted": 0, "not_adopted": 1, "total": 2}
    assert {i["reason"] for i in public["items"]} == {"", "与上位法不符"}


def test_moderated_comments_in_the_change_feed(client_for, open_period):
    created = _comment(client_for("anonymous"), open_period, contact="13800138000").json()
    url = f"/api/v1/comments/{created['id']}/moderate/"
    client_for("editor").post(url, {"publish": True}, format="json")
    client_for("editor").post(
        url, {"publish": False, "rejection_reason": "duplicate"}, format="json"
    )
    feed = client_for("anonymous").get("/api/v1/changes/?page_size=1000")
    events = [e for e in feed.json()["results"] if e["resource"] == "comments"]
    assert [(e["event"], e["state"]) for e in events] == [
        ("published", "removed"),
        ("withdrawn", "removed"),
    ]
    assert "13800138000" not in feed.content.decode()


def _clock(before, after, late):
    """``timezone.now`` giving ``before`` until ``late()`` is true, then ``after``."""
    return lambda: after if late() else before


def test_the_clock_is_read_once_as_a_comment_arrives(open_period, monkeypatch):
    """Whether a comment is in time and the submission time it is stored with are the same
    reading: a comment let in at the last instant is never stored as submitted after it."""
    from decisions.services.consultations import submit_comment

    last = datetime.datetime.combine(open_period.closes_on, datetime.time(23, 59, 59, 999999))
    before, after = (
        last.replace(tzinfo=SHANGHAI),
        last.replace(tzinfo=SHANGHAI) + datetime.timedelta(microseconds=1),
    )
    readings = []
    monkeypatch.setattr(
        timezone, "now", _clock(before, after, lambda: readings.append(1) or len(readings) > 1)
    )
    comment = submit_comment(open_period, content="最后一刻的意见")
    assert comment.submitted_at == before
    comment.refresh_from_db()
    assert timezone.localdate(comment.submitted_at) == open_period.closes_on


@pytest.mark.django_db(transaction=True)
def test_comments_racing_the_close_are_in_time_or_refused_never_lost(
    open_period, monkeypatch, settings
):
    """Sixteen comments arrive together while the clock passes the end of the closing day:
    each is acknowledged (201) and stored with an in-time submission time, or refused (400)
    and not stored."""
    from django.db import connection

    from decisions.models import Comment

    settings.REGISTRY_COMMENT_RATE = "1000/hour"
    last = datetime.datetime.combine(open_period.closes_on, datetime.time(23, 59, 59, 999999))
    before = last.replace(tzinfo=SHANGHAI)
    closed = threading.Event()
    monkeypatch.setattr(
        timezone, "now", _clock(before, before + datetime.timedelta(microseconds=1), closed.is_set)
    )
    count, barrier, answers = 16, threading.Barrier(17), {}

    def submit(n):
        try:
            client = APIClient()
            barrier.wait()
            answers[n] = _comment(client, open_period, content=f"第{n}条意见")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    barrier.wait()
    time.sleep(0.02)  # some arrive before the close, the rest after it
    closed.set()
    for thread in threads:
        thread.join()
    assert sorted({a.status_code for a in answers.values()}) in ([201], [400], [201, 400])
    acknowledged = {a.json()["id"] for a in answers.values() if a.status_code == 201}
    stored = Comment.objects.filter(consultation=open_period)
    assert set(stored.values_list("pk", flat=True)) == acknowledged
    for comment in stored:
        assert timezone.localdate(comment.submitted_at) <= open_period.closes_on
    for answer in answers.values():
        if answer.status_code == 400:
            assert str(open_period.closes_on) in answer.json()["detail"]
    assert len(answers) == count
