"""Dispatching: every public event reaches every matching subscription exactly once, even
while writers commit concurrently and the receiver fails now and then; filters by event
type, resource and department; new subscriptions get only future events; the API write
only queues work and never waits for (or fails because of) a receiver."""

import json
import logging
import threading

import pytest
from django.db import connection
from django.utils import timezone

from registry.models import AuditEntry
from registry.services import workflow
from registry.webhooks import queue, services, tasks
from registry.webhooks.choices import DeliveryStatus
from registry.webhooks.models import WebhookDelivery, WebhookSubscription
from tests.factories import notice
from tests.webhooks.support import queued_jobs

pytestmark = pytest.mark.django_db(transaction=True)


def subscribe(receiver, path, departments=(), **fields):
    subscription = WebhookSubscription.objects.create(name=path, url=receiver.url(path), **fields)
    subscription.departments.set(departments)
    return subscription


def all_dispatched_and_delivered():
    last = AuditEntry.objects.filter(is_public=True).order_by("-seq").values_list("seq").first()
    return (
        not WebhookSubscription.objects.exclude(last_dispatched_seq=last[0]).exists()
        and not WebhookDelivery.objects.exclude(status=DeliveryStatus.DELIVERED).exists()
    )


def events(receiver, path):
    """(resource, id, event) of the events acknowledged at ``path``, in sequence order."""
    bodies = sorted(
        (json.loads(r["body"]) for r in receiver.acknowledged(path)), key=lambda e: e["seq"]
    )
    return [(e["resource"], e["id"], e["event"]) for e in bodies]


def test_nothing_lost_with_concurrent_writers_and_a_flaky_receiver(
    receiver, run_worker, departments, users
):
    receiver.behave = lambda path, number: 500 if number % 4 == 0 else 200
    subscribe(receiver, "/all")
    subscribe(receiver, "/scjgj", departments=[departments["scjgj"]])
    per_writer, writing_done = 10, threading.Event()

    def writer(department, editor, publisher):
        try:
            for _ in range(per_writer):
                notice(department, editor, publish_by=publisher)
        finally:
            connection.close()

    def worker():
        try:
            while not writing_done.is_set():
                run_worker()
        finally:
            connection.close()

    writers = [
        threading.Thread(
            target=writer, args=(departments["fgw"], users["editor"], users["publisher"])
        ),
        threading.Thread(
            target=writer,
            args=(departments["scjgj"], users["other_editor"], users["other_publisher"]),
        ),
    ]
    working = threading.Thread(target=worker)
    working.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    writing_done.set()
    working.join(timeout=60)
    run_worker(until=all_dispatched_and_delivered)

    public = AuditEntry.objects.filter(is_public=True).order_by("seq")
    expected_all = list(public.values_list("seq", flat=True))
    expected_scjgj = list(
        public.filter(department=departments["scjgj"]).values_list("seq", flat=True)
    )
    assert len(expected_all) == 2 * per_writer and len(expected_scjgj) == per_writer
    for path, expected in (("/all", expected_all), ("/scjgj", expected_scjgj)):
        deliveries = WebhookDelivery.objects.filter(subscription__name=path)
        # One delivery per event (none created twice, none skipped) ...
        assert sorted(deliveries.values_list("seq", flat=True)) == expected
        acknowledged = [json.loads(r["body"])["seq"] for r in receiver.acknowledged(path)]
        # ... each acknowledged, and a second time only after an attempt whose answer the
        # client did not get (at least once: a 200 slower than the timeout is retried).
        assert sorted(set(acknowledged)) == expected
        for seq in {seq for seq in acknowledged if acknowledged.count(seq) > 1}:
            attempts = deliveries.get(seq=seq).attempt_log
            assert attempts.exclude(error="").exists(), (path, seq)
    assert any(r["answer"] == 500 for r in receiver.requests)  # and some were retried


def test_filters_by_event_type_resource_and_department(receiver, run_worker, departments, users):
    from tests.enforcement import builders

    subscribe(receiver, "/all")
    subscribe(receiver, "/withdrawn", event_types=["withdrawn"])
    subscribe(receiver, "/notices", resources=["test-notices"])
    subscribe(receiver, "/bodies", resources=["enforcement-bodies"])
    subscribe(receiver, "/scjgj", departments=[departments["scjgj"]])
    subscribe(
        receiver,
        "/scjgj-published-notices",
        departments=[departments["scjgj"]],
        event_types=["published"],
        resources=["test-notices"],
    )
    fgw_notice = notice(departments["fgw"], users["editor"], publish_by=users["publisher"])
    scjgj_notice = notice(
        departments["scjgj"], users["other_editor"], publish_by=users["other_publisher"]
    )
    body = builders.body(departments["fgw"], users["editor"], publisher=users["publisher"])
    workflow.withdraw(
        scjgj_notice, acting_user=users["other_publisher"], reason="撤销", legal_basis="依据"
    )
    run_worker(until=all_dispatched_and_delivered)

    published_fgw = ("test-notices", fgw_notice.pk, "published")
    published_scjgj = ("test-notices", scjgj_notice.pk, "published")
    published_body = ("enforcement-bodies", body.pk, "published")
    withdrawn_scjgj = ("test-notices", scjgj_notice.pk, "withdrawn")
    assert events(receiver, "/all") == [
        published_fgw,
        published_scjgj,
        published_body,
        withdrawn_scjgj,
    ]
    assert events(receiver, "/withdrawn") == [withdrawn_scjgj]
    assert events(receiver, "/notices") == [published_fgw, published_scjgj, withdrawn_scjgj]
    assert events(receiver, "/bodies") == [published_body]
    assert events(receiver, "/scjgj") == [published_scjgj, withdrawn_scjgj]
    assert events(receiver, "/scjgj-published-notices") == [published_scjgj]


def test_new_subscription_gets_only_future_events(receiver, run_worker, departments, users):
    notice(departments["fgw"], users["editor"], publish_by=users["publisher"])
    subscription = subscribe(receiver, "/hook")
    assert subscription.last_dispatched_seq == AuditEntry.objects.order_by("-seq").first().seq
    later = notice(departments["fgw"], users["editor"], publish_by=users["publisher"])
    run_worker(until=all_dispatched_and_delivered)
    assert events(receiver, "/hook") == [("test-notices", later.pk, "published")]


def test_the_api_write_only_queues_the_delivery(
    receiver, run_worker, client_for, departments, users
):
    receiver.behave = lambda path, number: "hang"  # a receiver that never answers in time
    subscribe(receiver, "/hook")
    draft = notice(departments["fgw"], users["editor"])
    response = client_for("publisher").post(f"/api/v1/test-notices/{draft.pk}/publish/")
    assert response.status_code == 200 and response.json()["status"] == "published"
    assert receiver.requests == []  # the request did not contact the receiver
    assert [job.task_name for job in queued_jobs()] == [queue.DISPATCH_TASK]
    assert not WebhookDelivery.objects.exists()

    run_worker(until=lambda: receiver.requests)
    assert receiver.requests[0]["headers"]["X-Registry-Event"] == "published"


def test_a_failed_deferral_never_fails_the_write_and_the_periodic_dispatch_catches_up(
    receiver, run_worker, client_for, departments, users, monkeypatch, caplog
):
    subscribe(receiver, "/hook")
    draft = notice(departments["fgw"], users["editor"])

    def unavailable(**kwargs):
        raise ConnectionError("queue unavailable")

    with monkeypatch.context() as patch, caplog.at_level(logging.ERROR):
        patch.setattr(queue, "defer_dispatch", unavailable)
        response = client_for("publisher").post(f"/api/v1/test-notices/{draft.pk}/publish/")
    assert response.status_code == 200
    assert "periodic dispatch catches up" in caplog.text
    assert queued_jobs() == []

    tasks.dispatch_events.defer(timestamp=int(timezone.now().timestamp()))  # as cron does
    run_worker(until=all_dispatched_and_delivered)
    assert events(receiver, "/hook") == [("test-notices", draft.pk, "published")]


@pytest.mark.django_db  # no worker here: the test's own transaction is enough
def test_overdue_deliveries_are_queued_again(job_queue, receiver, departments, users):
    """A delivery whose job was lost (worker killed mid-attempt) is queued again by the
    periodic dispatch once it is five minutes overdue."""
    subscribe(receiver, "/hook")
    notice(departments["fgw"], users["editor"], publish_by=users["publisher"])
    assert services.dispatch() == 1
    delivery = WebhookDelivery.objects.get()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs")  # the job is lost
    assert services.requeue_overdue() == 0  # not overdue yet
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - services.OVERDUE_AFTER * 2)
    assert services.requeue_overdue() == 1
    assert services.requeue_overdue() == 0  # its job waits in the queue
    assert [job.args for job in queued_jobs()] == [{"delivery_id": delivery.pk}]
