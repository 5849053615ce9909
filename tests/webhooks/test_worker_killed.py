"""The real worker process (``manage.py procrastinate worker``, as ``make run`` starts it)
killed with SIGKILL in the middle of a delivery: the attempt leaves no trace (its
transaction dies with the worker), the delivery stays pending, and once its attempt is
overdue (``services.OVERDUE_AFTER``) the periodic dispatch queues it again and a new worker
delivers it — at least once, as docs/webhooks.md promises: the receiver got it twice, under
the same ``X-Registry-Delivery``."""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from registry.webhooks import queue, services
from registry.webhooks.choices import DeliveryStatus
from registry.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from tests.factories import notice
from tests.processes import database_url, wait_for

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.django_db(transaction=True)


def start_worker(log):
    """The worker on the webhook queue, in a process of its own, on the test database."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",  # the test record type is registered
        "DATABASE_URL": database_url(),
        "REGISTRY_WEBHOOK_TIMEOUT": "30",  # the receiver's stall outlasts nothing but the kill
    }
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "procrastinate", "worker", "-q", "webhooks"],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def worker_sessions():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return cursor.fetchone()[0]


def test_worker_killed_mid_delivery_redelivers(receiver, job_queue, departments, users, tmp_path):
    WebhookSubscription.objects.create(name="portal", url=receiver.url("/hook"))
    # The first request stalls (the receiver holds it, then drops it); later ones succeed.
    receiver.behave = lambda path, number: "hang" if number == 1 else 200
    notice(departments["fgw"], users["editor"], publish_by=users["publisher"], name="停电通知")

    with open(tmp_path / "worker.log", "w") as log:
        first = start_worker(log)
        try:
            wait_for(lambda: receiver.requests, "the first attempt to reach the receiver", 60)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            stop(first)
        wait_for(lambda: worker_sessions() == 0, "the killed worker's sessions to end")

        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts, delivery.delivered_at) == (
            DeliveryStatus.PENDING,
            0,
            None,
        )
        assert not WebhookAttempt.objects.exists()  # the attempt died with its transaction

        # Five minutes pass (the overdue delay), then the periodic dispatch runs (every
        # minute; queued here rather than awaited) and a new worker picks it up.
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=timezone.now() - services.OVERDUE_AFTER - datetime.timedelta(seconds=1)
        )
        queue.defer_dispatch()
        second = start_worker(log)
        try:
            wait_for(lambda: receiver.acknowledged("/hook"), "the redelivery", 60)
            wait_for(
                lambda: (
                    WebhookDelivery.objects.get(pk=delivery.pk).status == DeliveryStatus.DELIVERED
                ),
                "the delivery to be recorded",
            )
        finally:
            stop(second)

    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.delivered_at is not None
    stalled, delivered = receiver.requests
    assert stalled["headers"]["X-Registry-Delivery"] == str(delivery.pk)
    assert delivered["headers"]["X-Registry-Delivery"] == str(delivery.pk)
    assert stalled["body"] == delivered["body"] == delivery.body.encode()
    time.sleep(0.2)
    assert len(receiver.requests) == 2  # nothing more was sent
