"""Delivering one event: the signed body is the change-feed event, failed attempts are
retried with exponentially growing delays and logged, and a delivery that ran out of
attempts is failed until an administrator queues it again."""

import datetime
import hashlib
import hmac
import json
import time

import pytest
from django.utils import timezone

from registry.webhooks import queue, services
from registry.webhooks.choices import DeliveryStatus
from registry.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from tests.factories import notice
from tests.webhooks.support import queued_jobs

pytestmark = pytest.mark.django_db(transaction=True)


def subscribe(receiver, path="/hook", **fields):
    return WebhookSubscription.objects.create(name=path, url=receiver.url(path), **fields)


def expected_signature(secret, timestamp, body):
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def test_signed_body_is_the_change_feed_event(receiver, run_worker, client_for, departments, users):
    subscription = subscribe(receiver)
    record = notice(
        departments["fgw"],
        users["editor"],
        publish_by=users["publisher"],
        name="关于征求意见的通知",
    )
    run_worker(until=lambda: receiver.acknowledged("/hook"))

    (request,) = receiver.requests
    headers, body = request["headers"], request["body"]
    timestamp = headers["X-Registry-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 60
    assert hmac.compare_digest(
        headers["X-Registry-Signature"], expected_signature(subscription.secret, timestamp, body)
    )
    tampered_body = body.replace("通知".encode(), "公告".encode())
    assert tampered_body != body
    assert headers["X-Registry-Signature"] != expected_signature(
        subscription.secret, timestamp, tampered_body
    )
    assert headers["X-Registry-Signature"] != expected_signature(
        subscription.secret, str(int(timestamp) - 1), body
    )
    assert headers["X-Registry-Signature"] != expected_signature("another secret", timestamp, body)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["X-Registry-Delivery"] == str(delivery.pk)
    assert headers["X-Registry-Event"] == "published"
    assert "关于征求意见的通知".encode() in body  # UTF-8, not \u escapes
    assert body == delivery.body.encode()
    feed = client_for("anonymous").get("/api/v1/changes/").json()["results"]
    (event,) = [e for e in feed if e["seq"] == delivery.seq]
    assert json.loads(body) == event
    assert (event["resource"], event["id"], event["state"]) == (
        "test-notices",
        record.pk,
        "present",
    )


def test_retries_with_exponential_backoff_until_delivered(
    receiver, run_worker, departments, users, webhook_settings
):
    receiver.behave = lambda path, number: {1: 500, 2: "close"}.get(number, 200)
    subscribe(receiver)
    notice(departments["fgw"], users["editor"], publish_by=users["publisher"])
    run_worker(until=lambda: receiver.acknowledged("/hook"))

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 3)
    log = list(delivery.attempt_log.all())
    assert [a.status_code for a in log] == [500, None, 200]
    assert "RemoteDisconnected" in log[1].error
    base = datetime.timedelta(seconds=webhook_settings.WEBHOOK_RETRY_BASE_SECONDS)
    assert [a.retry_at - a.finished_at for a in log[:2]] == [base, 2 * base]
    assert log[2].retry_at is None
    assert log[1].attempted_at >= log[0].retry_at and log[2].attempted_at >= log[1].retry_at
    assert delivery.delivered_at == log[2].finished_at
    # Every attempt sent the same delivery id and body (signed afresh with its timestamp).
    assert {r["headers"]["X-Registry-Delivery"] for r in receiver.requests} == {str(delivery.pk)}
    assert {r["body"] for r in receiver.requests} == {delivery.body.encode()}


def test_a_failed_attempt_schedules_the_next_job(
    receiver, run_worker, departments, users, webhook_settings
):
    """The retry is a procrastinate job scheduled at the backoff time (30 s, then 60 s);
    the test moves the clock forward by making the scheduled job due now."""
    webhook_settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    receiver.behave = lambda path, number: 503
    subscribe(receiver)
    notice(departments["fgw"], users["editor"], publish_by=users["publisher"])
    run_worker(until=WebhookAttempt.objects.exists)
    delivery = WebhookDelivery.objects.get()
    (first,) = delivery.attempt_log.all()
    assert first.retry_at - first.finished_at == datetime.timedelta(seconds=30)
    delivery.refresh_from_db()
    (job,) = queued_jobs(queue.DELIVER_TASK)
    assert job.args == {"delivery_id": delivery.pk}
    assert job.scheduled_at == delivery.next_attempt_at == first.retry_at
    run_worker()
    assert len(receiver.requests) == 1  # not due yet

    make_due(delivery)
    run_worker(until=lambda: delivery.attempt_log.count() == 2)
    second = delivery.attempt_log.last()
    assert second.retry_at - second.finished_at == datetime.timedelta(seconds=60)
    assert [j.scheduled_at for j in queued_jobs(queue.DELIVER_TASK)] == [second.retry_at]
    assert services.deliver(delivery.pk) is None  # an early job makes no attempt
    assert len(receiver.requests) == 2


def make_due(delivery):
    """Move the clock past the delivery's next attempt: its job and its row are due now."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE procrastinate_jobs SET scheduled_at = now() "
            "WHERE queueing_lock = %s AND status = 'todo'",
            [queue.delivery_lock(delivery.pk)],
        )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_gives_up_after_max_attempts_and_admin_redelivers(
    client, receiver, run_worker, departments, users, webhook_settings
):
    webhook_settings.WEBHOOK_MAX_ATTEMPTS = 4
    answers = {1: 503, 2: "hang", 3: 502, 4: 500}
    receiver.behave = lambda path, number: answers.get(number, 200)
    subscribe(receiver)
    notice(departments["fgw"], users["editor"], publish_by=users["publisher"])

    def given_up():
        return WebhookDelivery.objects.filter(status=DeliveryStatus.FAILED).exists()

    run_worker(until=given_up)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.next_attempt_at) == (4, None)
    log = list(delivery.attempt_log.all())
    assert [(a.status_code, bool(a.error)) for a in log] == [
        (503, False),
        (None, True),
        (502, False),
        (500, False),
    ]
    assert "timed out" in log[1].error
    base = datetime.timedelta(seconds=webhook_settings.WEBHOOK_RETRY_BASE_SECONDS)
    assert [a.retry_at - a.finished_at for a in log[:3]] == [base, 2 * base, 4 * base]
    assert log[3].retry_at is None
    run_worker()
    assert len(receiver.requests) == 4  # given up: no further attempt
    assert queued_jobs(queue.DELIVER_TASK) == []

    client.force_login(users["superuser"])
    response = client.post(
        "/admin/webhooks/webhookdelivery/",
        {"action": "redeliver", "_selected_action": [delivery.pk]},
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
    assert [j.args for j in queued_jobs(queue.DELIVER_TASK)] == [{"delivery_id": delivery.pk}]

    run_worker(until=lambda: receiver.acknowledged("/hook"))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
    assert [a.status_code for a in delivery.attempt_log.all()] == [503, None, 502, 500, 200]
