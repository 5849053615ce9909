"""The change feed: one strictly increasing sequence of public events, rendered with the
records' current public state, tombstones for withdrawals, ``removed`` for records that are
no longer public, no skips or repeats while writers commit concurrently."""

import datetime
import threading

import orjson
import pytest
from django.db import connection
from django.utils import timezone

from registry import changes
from registry.api.changes import ChangeEventSerializer, represent_events
from registry.api.renderers import encode
from registry.api.rows import iso_datetime_from, iso_datetime_sql
from registry.changes import emit_expiry_events
from registry.models import PublicState
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


# Stored states (registry.models.PublicState): the feed sends the document stored after the
# record's latest public event instead of rendering it again, while the record is still in
# that state; anything else is rendered now.


def _feed(after=0, size=1000, **options):
    events, _last = changes.page(after, size, **options)
    return orjson.loads(encode(represent_events(events)))


def test_stored_states_give_the_same_events_as_rendering(committed, departments, users):
    fgw, editor, publisher = departments["fgw"], users["editor"], users["publisher"]
    kept = committed(notice, fgw, editor, publish_by=publisher, name="保留")
    gone = committed(notice, fgw, editor, publish_by=publisher, name="撤回")
    committed(workflow.amend, kept, acting_user=publisher, reason="更正", summary="更正后")
    committed(workflow.withdraw, gone, acting_user=publisher, reason="撤销", legal_basis="依据")
    states = dict(PublicState.objects.values_list("object_id", "state"))
    assert states == {kept.pk: "present", gone.pk: "tombstone"}
    assert _feed(stored_states=True) == _feed()
    assert [e["state"] for e in _feed(stored_states=True) if e["id"] == gone.pk] == [
        "tombstone",
        "tombstone",
    ]


def test_the_stored_document_is_sent_only_while_current(committed, departments, users):
    record = committed(notice, departments["fgw"], users["editor"], publish_by=users["publisher"])
    PublicState.objects.filter(object_id=record.pk).update(document='{"stored":true}')
    (event,) = _feed(stored_states=True)
    assert event["record"] == {"stored": True}  # sent as stored, not rendered
    # A later event than the stored state (its state not yet stored): rendered now, for
    # every event of the record on the page.
    workflow.amend(record, acting_user=users["publisher"], reason="更正", summary="新摘要")
    events = _feed(stored_states=True)
    assert [e["record"]["summary"] for e in events] == ["新摘要", "新摘要"]
    # A page that holds only the earlier event may take the stored state.
    assert _feed(size=1, stored_states=True)[0]["record"] == {"stored": True}


def test_a_stored_state_is_not_sent_once_the_record_is_no_longer_shown(
    committed, departments, users
):
    record = committed(notice, departments["fgw"], users["editor"], publish_by=users["publisher"])
    # Hidden without an event (as a date passing does, until the daily refresh).
    type(record).objects.filter(pk=record.pk).update(status="draft")
    (event,) = _feed(stored_states=True)
    assert event["state"] == "removed" and "record" not in event


def test_a_stored_tombstone_is_not_sent_for_a_record_shown_again(committed, departments, users):
    record = committed(notice, departments["fgw"], users["editor"], publish_by=users["publisher"])
    committed(
        workflow.withdraw, record, acting_user=users["publisher"], reason="撤销", legal_basis="依据"
    )
    type(record).objects.filter(pk=record.pk).update(status="published")
    events = _feed(stored_states=True)
    assert [e["state"] for e in events] == ["present", "present"]
    assert events == _feed()


def test_a_page_of_stored_states_takes_the_same_queries_however_long(
    committed, departments, users, django_assert_num_queries
):
    for _ in range(3):
        committed(notice, departments["fgw"], users["editor"], publish_by=users["publisher"])
    with django_assert_num_queries(1):  # the page with its states and what is shown now
        assert len(changes.page(0, 1000, stored_states=True)[0]) == 3
    for _ in range(9):
        committed(notice, departments["fgw"], users["editor"], publish_by=users["publisher"])
    with django_assert_num_queries(1):
        assert len(changes.page(0, 1000, stored_states=True)[0]) == 12


def test_the_feed_api_sends_stored_states(committed, client_for, departments, users):
    record = committed(notice, departments["fgw"], users["editor"], publish_by=users["publisher"])
    PublicState.objects.filter(object_id=record.pk).update(document='{"stored":true}')
    response = client_for("anonymous").get(URL)
    assert response.json()["results"][0]["record"] == {"stored": True}
    indented = client_for("anonymous").get(URL, HTTP_ACCEPT="application/json; indent=2")
    assert indented.json()["results"][0]["record"] == {"stored": True}
    assert b'\n  "next"' in indented.content


def test_represented_events_equal_the_serializer(departments, users):
    notice(departments["fgw"], users["editor"], publish_by=users["publisher"])
    events, _last = changes.page(0, 10)
    assert represent_events(events) == ChangeEventSerializer(events, many=True).data


def test_any_of_selects_what_in_selects_with_one_parameter(departments, users):
    records = [notice(departments["fgw"], users["editor"]) for _ in range(3)]
    model, wanted = type(records[0]), [records[0].pk, records[2].pk]
    chosen = model.objects.filter(pk__any_of=wanted)
    assert sorted(chosen.values_list("pk", flat=True)) == sorted(wanted)
    assert not model.objects.filter(pk__any_of=[]).exists()
    sql, params = chosen.query.sql_with_params()
    assert "= ANY(%s)" in sql and list(params) == [wanted]


INSTANTS = [
    datetime.datetime(1937, 1, 1, 12, 0, tzinfo=datetime.UTC),  # Amsterdam: +00:19:32
    datetime.datetime(1988, 7, 1, 3, 4, 5, tzinfo=datetime.UTC),  # Shanghai: summer time
    datetime.datetime(1988, 12, 1, 3, 4, 5, 7, tzinfo=datetime.UTC),
    datetime.datetime(2026, 11, 28, 16, 0, tzinfo=datetime.UTC),  # Shanghai: midnight
    datetime.datetime(2026, 3, 8, 12, 30, 15, 123456, tzinfo=datetime.UTC),
]


@pytest.mark.parametrize(
    "zone", ["Asia/Shanghai", "UTC", "America/St_Johns", "Asia/Kolkata", "Europe/Amsterdam"]
)
def test_times_written_by_postgresql_are_those_drf_writes(db, zone):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {iso_datetime_sql('t')} FROM unnest(%s::timestamptz[]) AS u(t)",
            [zone, zone, INSTANTS],
        )
        written = [iso_datetime_from(local, offset) for local, offset in cursor.fetchall()]
    field = ChangeEventSerializer().fields["occurred_at"]
    with timezone.override(zone):
        assert written == [field.to_representation(instant) for instant in INSTANTS]


def test_the_refresh_stores_documents_of_older_states_from_its_one_rendering(
    committed, departments, users, monkeypatch
):
    """States stored before documents were (``seq`` 0) get theirs at the daily refresh,
    from the rendering the refresh compares (not a second one), with no event."""
    from django.contrib.contenttypes.models import ContentType

    from registry.models import AuditEntry
    from registry.refresh import refresh_public_states

    record = committed(notice, departments["fgw"], users["editor"], publish_by=users["publisher"])
    PublicState.objects.filter(object_id=record.pk).update(seq=0, document="")
    type_id = ContentType.objects.get_for_model(record).pk
    rendered = []
    original = changes.current_states

    def counting(content_type_id, ids, *args, **kwargs):
        if content_type_id == type_id and ids:
            rendered.append(sorted(ids))
        return original(content_type_id, ids, *args, **kwargs)

    monkeypatch.setattr(changes, "current_states", counting)
    events = AuditEntry.objects.count()
    assert refresh_public_states() == 0 and AuditEntry.objects.count() == events
    assert rendered == [[record.pk]]
    state = PublicState.objects.get(object_id=record.pk)
    mine = AuditEntry.objects.filter(content_type_id=type_id, object_id=record.pk)
    assert state.seq == mine.latest("seq").seq
    assert orjson.loads(state.document) == _feed()[0]["record"]
