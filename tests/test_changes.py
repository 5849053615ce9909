"""The change feed: one strictly increasing sequence of public events, rendered with the
records' current public state, tombstones for withdrawals, ``removed`` for records that are
no longer public, no skips or repeats while writers commit concurrently."""

import datetime
import threading

import pytest
from django.db import connection

from registry.changes import emit_expiry_events
from registry.services import workflow
from tests.factories import notice

URL = "/api/v1/changes/"


def _walk(client, url=URL + "?page_size=3"):
    events = []
    while True:
        page = client.get(url)
        assert page.status_code == 200, page.content
        body = page.json()
        events += body["results"]
        if not body["results"]:
            return events, body["next"]
        url = body["next"]


def test_events_in_order_with_current_state(client_for, departments, users):
    first = notice(departments["fgw"], users["editor"], publish_by=users["publisher"])
    second = notice(departments["fgw"], users["editor"], publish_by=users["publisher"])
    notice(departments["fgw"], users["editor"])  # a draft: no public event
    workflow.amend(first, acting_user=users["publisher"], reason="更正", summary="更正后")
    workflow.withdraw(second, acting_user=users["publisher"], reason="撤销", legal_basis="依据")
    events, _ = _walk(client_for("anonymous"))
    notices = [e for e in events if e["resource"] == "test-notices"]
    assert [(e["id"], e["event"]) for e in notices] == [
        (first.pk, "published"),
        (second.pk, "published"),
        (first.pk, "amended"),
        (second.pk, "withdrawn"),
    ]
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(set(seqs))
    assert notices[0]["state"] == "present" and notices[0]["record"]["summary"] == "更正后"
    assert notices[1]["state"] == "tombstone"
    assert notices[3]["tombstone"]["withdrawal_reason"] == "撤销"


def test_cursor_resumes_and_next_is_always_given(client_for, departments, users):
    notice(departments["fgw"], users["editor"], publish_by=users["publisher"])
    client = client_for("anonymous")
    events, resume = _walk(client)
    assert len(events) == 1
    later = notice(departments["fgw"], users["editor"], publish_by=users["publisher"])
    new = client.get(resume).json()["results"]
    assert [(e["id"], e["event"]) for e in new] == [(later.pk, "published")]


@pytest.mark.parametrize(
    "query, field",
    [
        ("?cursor=nonsense", "cursor"),
        ("?page_size=0", "page_size"),
        ("?page_size=1001", "page_size"),
        ("?since=1", "since"),
    ],
)
def test_bad_parameters(client_for, query, field):
    response = client_for("anonymous").get(URL + query)
    assert response.status_code == 400 and field in response.json()["errors"]


def test_hidden_records_show_no_content(client_for, departments, users):
    record = notice(
        departments["fgw"], users["editor"], publish_by=users["publisher"], name="保密标记ZX9"
    )
    workflow.amend(
        record,
        acting_user=users["publisher"],
        reason="依法不予公开",
        withheld_ground="state_secret",
        withheld_legal_basis="《保守国家秘密法》",
    )
    events, _ = _walk(client_for("anonymous"))
    mine = [e for e in events if e["id"] == record.pk]
    assert [(e["event"], e["state"]) for e in mine] == [
        ("published", "removed"),
        ("amended", "removed"),
    ]
    assert all("record" not in e and "tombstone" not in e for e in mine)
    assert "保密标记ZX9" not in str(events)


def test_expiry_is_announced_once(client_for, departments, users):
    from tests.enforcement import builders

    body = builders.body(departments["fgw"], users["editor"], publisher=users["publisher"])
    power = builders.power(body, users["editor"], publisher=users["publisher"])
    action = builders.penalty(
        power,
        users["editor"],
        publisher=users["publisher"],
        decision_date=datetime.date(2024, 1, 10),
        date_made=datetime.date(2024, 1, 10),
    )
    assert emit_expiry_events() == 1
    assert emit_expiry_events() == 0
    events, _ = _walk(client_for("anonymous"))
    ended = [e for e in events if e["resource"] == "enforcement-actions"]
    assert [(e["id"], e["event"], e["state"]) for e in ended] == [
        (action.pk, "published", "removed"),
        (action.pk, "display_ended", "removed"),
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_cause_skips(client_for, departments, users):
    """Readers poll while two writers publish; every event is seen exactly once and the
    sequence a reader sees has no holes."""
    per_writer, seen, done = 8, [], threading.Event()

    def writer():
        try:
            for _ in range(per_writer):
                notice(departments["fgw"], users["editor"], publish_by=users["publisher"])
        finally:
            connection.close()

    def reader():
        try:
            client, cursor = client_for("anonymous"), URL + "?page_size=2"
            while True:
                body = client.get(cursor).json()
                seen.extend(e["seq"] for e in body["results"])
                cursor = body["next"]
                if done.is_set() and not body["results"]:
                    return
        finally:
            connection.close()

    writers = [threading.Thread(target=writer) for _ in range(2)]
    polling = threading.Thread(target=reader)
    polling.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    polling.join(timeout=300)
    assert not polling.is_alive(), "the reader did not reach the end of the feed"
    from registry.models import AuditEntry

    public = list(
        AuditEntry.objects.filter(is_public=True).order_by("seq").values_list("seq", flat=True)
    )
    assert len(public) == 2 * per_writer
    assert seen == public  # in order, nothing skipped, nothing repeated
