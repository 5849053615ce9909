"""Deadline reminders: ``GET /api/v1/compliance/deadlines/`` as each role sees it,
``manage.py deadlines`` printing the same list, and the daily e-mail digest to each
department's publishers (tests/compliance_world.py, read on Tuesday 20 October 2026)."""

import datetime
import io

import chinese_calendar
import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone
from procrastinate.contrib.django import app

from registry.compliance import deadlines, digest, registration
from registry.compliance.scope import Narrowing
from registry.tasks import deadline_digest
from tests import compliance_world as cw
from tests.enforcement import builders as enforcement_builders
from tests.world import api_client, module_world

D = datetime.date
URL = "/api/v1/compliance/deadlines/"

world = module_world(cw.build)


@pytest.fixture
def w(world, db, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: cw.instant(cw.TODAY))
    return world


def workdays_between(first, last):
    """By the chinesecalendar package itself, not the registry's calendar."""
    return len(chinese_calendar.get_workdays(first + datetime.timedelta(days=1), last))


def expected_fgw(w):
    """fgw's open deadlines on TODAY within 5 working days (to 27 October), worked out by
    hand: (kind, id, due, working days left), in the order listed."""
    bond_overdue = -workdays_between(D(2026, 6, 30), cw.TODAY)
    return [
        ("bond_annual_disclosure", w.bond_missing.pk, D(2026, 6, 30), bond_overdue),
        # 8, 9, 10 (adjusted Saturday), 12–16, 19, 20 October
        ("decisions_withheld_reassessment", w.withheld[D(2026, 10, 1)].pk, D(2026, 10, 1), -10),
        ("enforcement_action_publication", w.overdue.pk, cw.DUE_AFTER_29_SEPTEMBER, -4),
        ("inspection_result_publication", w.inspection.pk, cw.INSPECTION_DUE, -4),
        # 21, 22, 23 October
        ("decisions_withheld_reassessment", w.withheld[D(2026, 10, 23)].pk, D(2026, 10, 23), 3),
        ("enforcement_action_publication", w.not_yet_due.pk, cw.DUE_AFTER_16_OCTOBER, 5),
    ]


def summary(items):
    return [
        (item["kind"], item["id"], D.fromisoformat(str(item["due"])), item["working_days_left"])
        for item in items
    ]


SEES_FGW = {
    "editor": True,
    "publisher": True,
    "department_admin": True,
    "other_editor": False,
    "other_publisher": False,
    "oversight": True,
    "superuser": True,
    "legality_reviewer": False,
}


@pytest.mark.parametrize("role", [*SEES_FGW, "anonymous"])
def test_the_deadlines_each_role_sees(w, role):
    response = api_client(w.tokens.get(role)).get(URL)
    if role == "anonymous":
        assert response.status_code == 401
        return
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["today"], body["within"], body["until"]) == (
        "2026-10-20",
        5,
        cw.HORIZON_5.isoformat(),
    )
    expected = expected_fgw(w) if SEES_FGW[role] else []
    assert summary(body["results"]) == expected
    assert body["count"] == len(expected)
    assert all(item["department"] == "fgw" for item in body["results"])


def test_deadline_items_describe_themselves(w):
    body = api_client(w.tokens["oversight"]).get(URL, {"department": "fgw"}).json()
    overdue = next(item for item in body["results"] if item["id"] == w.overdue.pk)
    assert overdue == {
        "department": "fgw",
        "kind": "enforcement_action_publication",
        "label": "执法决定公开期限",
        "legal_basis": overdue["legal_basis"],
        "resource": "enforcement-actions",
        "id": w.overdue.pk,
        "index_number": w.overdue.index_number,
        "name": "处罚案3",
        "due": "2026-10-14",
        "details": {"rule": overdue["details"]["rule"]},
        "working_days_left": -4,
        "overdue": True,
    }
    assert overdue["details"]["rule"].startswith("enforcement_publication_7wd@v")
    bond = next(item for item in body["results"] if item["kind"] == "bond_annual_disclosure")
    assert bond["details"] == {"bond_code": "B2024", "year": 2026}


def test_within_and_department(w):
    oversight = api_client(w.tokens["oversight"])
    today_only = oversight.get(URL, {"within": 0}).json()
    assert today_only["until"] == "2026-10-20"
    assert summary(today_only["results"]) == [entry for entry in expected_fgw(w) if entry[3] <= 0]
    # 10 working days: to 3 November, nothing more falls due.
    assert oversight.get(URL, {"within": 10}).json()["until"] == "2026-11-03"
    assert oversight.get(URL, {"department": "scjgj"}).json()["results"] == []
    page = oversight.get(URL, {"limit": 2, "offset": 1}).json()
    assert summary(page["results"]) == expected_fgw(w)[1:3]
    assert page["count"] == 6


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"within": "-1"}, "within"),
        ({"within": "61"}, "within"),
        ({"within": "x"}, "within"),
        ({"department": "nope"}, "department"),
        ({"limit": "0"}, "limit"),
        ({"year": "2026"}, "year"),
    ],
)
def test_bad_parameters(w, params, name):
    response = api_client(w.tokens["oversight"]).get(URL, params)
    assert response.status_code == 400, response.content
    assert name in response.json()["errors"]


def test_one_query_per_model_and_the_calendar(w, django_assert_num_queries):
    narrowing = Narrowing(w.users["oversight"])
    assert narrowing.sees_detail
    models = sum(len(source.models()) for source in registration.deadline_sources())
    with django_assert_num_queries(models + 2):  # and the calendar of the days counted
        reminders = deadlines.upcoming(cw.TODAY, 5, narrowing)
    assert len(reminders.items) == 6


def test_the_command_prints_the_same_list(w):
    out = io.StringIO()
    call_command("deadlines", "--within", "5", stdout=out)
    index = {record.pk: record.index_number for record in (w.overdue, w.not_yet_due)}
    lines = out.getvalue().splitlines()
    assert lines[0] == "截至 2026-10-27（5 个工作日内）到期或已逾期的期限，今天是 2026-10-20。"
    assert lines[1:3] == ["", "区发展改革委（fgw）：6 项期限"]
    assert len(lines) == 3 + 6
    assert (
        f"  2026-10-14（已逾期 4 个工作日）执法决定公开期限：{index[w.overdue.pk]} 处罚案3" in lines
    )
    assert (
        f"  2026-10-27（还有 5 个工作日）执法决定公开期限：{index[w.not_yet_due.pk]} 处罚案4"
    ) in lines
    assert lines[-1].endswith("处罚案4")  # in due order


def test_the_command_for_a_department_and_its_errors(w):
    out = io.StringIO()
    call_command("deadlines", "--department", "scjgj", stdout=out)
    assert out.getvalue().splitlines()[1] == "没有到期或逾期的期限。"
    with pytest.raises(CommandError):
        call_command("deadlines", "--department", "nope")
    with pytest.raises(CommandError):
        call_command("deadlines", "--within", "61")


def test_the_digest_goes_to_the_publishers_of_departments_with_due_items(w):
    assert digest.send_digests(today=cw.TODAY) == 1
    [message] = mail.outbox
    assert message.to == ["publisher@bishan.example.cn"]  # not the editor, not scjgj
    assert message.subject == "【期限提醒】区发展改革委：6 项期限到期或已逾期"
    assert message.body.startswith("区发展改革委发布员：\n")
    assert f"2026-10-14（已逾期 4 个工作日）执法决定公开期限：{w.overdue.index_number} 处罚案3" in (
        message.body
    )
    assert "处罚案8" not in message.body  # scjgj's, and published


def test_each_department_gets_only_its_own_digest(w):
    with cw.clock(D(2026, 10, 15)):
        other = enforcement_builders.penalty(
            w.other_late.power,
            w.users["other_editor"],
            name="另一部门逾期案",
            document_number="璧市监罚〔2026〕99号",
            decision_date=D(2026, 9, 29),
        )
    assert digest.send_digests(today=cw.TODAY) == 2
    by_recipient = {tuple(m.to): m for m in mail.outbox}
    assert set(by_recipient) == {
        ("publisher@bishan.example.cn",),
        ("other_publisher@bishan.example.cn",),
    }
    theirs = by_recipient[("other_publisher@bishan.example.cn",)]
    assert theirs.subject == "【期限提醒】区市场监管局：1 项期限到期或已逾期"
    assert other.index_number in theirs.body and "处罚案3" not in theirs.body
    assert other.index_number not in by_recipient[("publisher@bishan.example.cn",)].body


def test_no_digest_without_due_items_or_publishers(w):
    assert digest.send_digests(today=D(2026, 1, 5), within=0) == 0
    assert mail.outbox == []
    w.users["publisher"].email = ""
    w.users["publisher"].save(update_fields=["email"])
    assert digest.send_digests(today=cw.TODAY) == 0


def test_the_worker_sends_the_digest_every_morning(w):
    periodic = app.periodic_registry.periodic_tasks[("registry.deadline_digest", "deadline-digest")]
    assert periodic.cron == "30 0 * * *"  # 08:30 in Shanghai
    assert deadline_digest() == 1
    assert len(mail.outbox) == 1
