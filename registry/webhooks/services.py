"""Dispatching public events to subscriptions and delivering them as signed POSTs.

The outbox is the audit chain itself: public entries carry a strictly increasing ``seq`` and
commit in that order, so each subscription's cursor (``last_dispatched_seq``) never skips an
event. :func:`dispatch` turns the entries after the cursor into deliveries, advances the
cursor and queues one job per delivery, all in one transaction. :func:`deliver` makes one
attempt; a failed attempt schedules the next after an exponentially growing delay, until the
maximum number of attempts, when the delivery is marked failed (an administrator can
re-queue it)."""

import datetime
import hashlib
import hmac
import logging
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from registry.models import AuditEntry
from registry.webhooks import queue
from registry.webhooks.choices import DeliveryStatus
from registry.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# A pending delivery whose next attempt is this much overdue has lost its job (the worker
# stopped mid-attempt, or the job itself failed): the periodic dispatch queues it again.
OVERDUE_AFTER = datetime.timedelta(minutes=5)
USER_AGENT = "TransparencyRegistry-Webhooks/1"


def signature(secret, timestamp, body):
    """``sha256=`` + hex HMAC-SHA256 of ``"{timestamp}.{body}"`` keyed with the secret."""
    message = f"{timestamp}.{body}".encode()
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def retry_delay(attempts):
    """Seconds to wait after the ``attempts``-th failed attempt: base, 2×base, 4×base, …"""
    return settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempts - 1)


def render(event):
    """The exact JSON text of one change-feed event (as ``/api/v1/changes/`` shows it)."""
    from rest_framework.renderers import JSONRenderer

    from registry.api.changes import ChangeEventSerializer

    return JSONRenderer().render(ChangeEventSerializer(event).data).decode()


def dispatch():
    """Create the deliveries of every active subscription for the public events after its
    cursor, and queue them. Returns the number of deliveries created."""
    created, busy = 0, False
    for pk in WebhookSubscription.objects.filter(is_active=True).values_list("pk", flat=True):
        while True:
            count, more, locked = _dispatch_batch(pk)
            created += count
            busy = busy or locked
            if not more:
                break
    if busy:
        # Another dispatch holds a subscription: look again shortly, so that events it
        # committed too late to see are not left for the periodic run.
        queue.defer_dispatch(schedule_at=timezone.now() + datetime.timedelta(seconds=1))
    return created


def _dispatch_batch(pk):
    """One batch of one subscription: (deliveries created, more to do, subscription busy)."""
    from registry.changes import events_for

    with transaction.atomic():
        subscription = (
            WebhookSubscription.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, is_active=True)
            .first()
        )
        if subscription is None:
            busy = WebhookSubscription.objects.filter(pk=pk, is_active=True).exists()
            return 0, False, busy
        entries = list(
            AuditEntry.objects.filter(
                is_public=True, seq__gt=subscription.last_dispatched_seq
            ).order_by("seq")[:BATCH_SIZE]
        )
        if not entries:
            return 0, False, False
        department_ids = set(subscription.departments.values_list("pk", flat=True))
        wanted = [e for e in entries if subscription.accepts_entry(e, department_ids)]
        now = timezone.now()
        deliveries = [
            WebhookDelivery(
                subscription=subscription,
                seq=event["seq"],
                event=event["event"],
                resource=event["resource"],
                object_id=event["id"],
                body=render(event),
                next_attempt_at=now,
            )
            for event in (events_for(wanted) if wanted else [])
            if subscription.accepts_resource(event["resource"])
        ]
        WebhookDelivery.objects.bulk_create(deliveries)
        subscription.last_dispatched_seq = entries[-1].seq
        subscription.save(update_fields=["last_dispatched_seq"])
        queue.defer_deliveries([delivery.pk for delivery in deliveries])
    return len(deliveries), len(entries) == BATCH_SIZE, False


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer like any other non-2xx: not followed, the attempt failed."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def _post(delivery):
    """Send the delivery once; the (unsaved) attempt with its outcome."""
    subscription = delivery.subscription
    timestamp = str(int(time.time()))
    request = urllib.request.Request(
        subscription.url,
        data=delivery.body.encode(),
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Registry-Event": delivery.event,
            "X-Registry-Delivery": str(delivery.pk),
            "X-Registry-Timestamp": timestamp,
            "X-Registry-Signature": signature(subscription.secret, timestamp, delivery.body),
        },
    )
    attempt = WebhookAttempt(delivery=delivery, attempted_at=timezone.now())
    started = time.monotonic()
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT) as response:
            attempt.status_code = response.status
    except urllib.error.HTTPError as exc:
        attempt.status_code = exc.code
        exc.close()
    except Exception as exc:  # timeouts, refused or dropped connections, bad URLs, …
        reason = getattr(exc, "reason", None) or exc
        attempt.error = f"{type(reason).__name__}: {reason}"[:1000]
    attempt.duration_ms = round((time.monotonic() - started) * 1000)
    return attempt


def deliver(delivery_id):
    """Make one attempt of a pending delivery and record it; returns the attempt, or
    ``None`` when there was nothing to do (delivered, given up, subscription inactive,
    not due yet, or another job is attempting it right now)."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if (
            delivery is None
            or delivery.status != DeliveryStatus.PENDING
            or not delivery.subscription.is_active
        ):
            return None
        now = timezone.now()
        if delivery.next_attempt_at and delivery.next_attempt_at > now + datetime.timedelta(
            seconds=1
        ):
            return None  # a job queued ahead of time; the one scheduled for then will come
        attempt = _post(delivery)
        delivery.attempts += 1
        if attempt.succeeded:
            delivery.status, delivery.delivered_at = DeliveryStatus.DELIVERED, attempt.finished_at
            delivery.next_attempt_at = None
        elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
            logger.warning(
                "webhooks: delivery %s gave up after %s attempts", delivery.pk, delivery.attempts
            )
        else:
            delay = datetime.timedelta(seconds=retry_delay(delivery.attempts))
            attempt.retry_at = delivery.next_attempt_at = attempt.finished_at + delay
            queue.defer_delivery(delivery.pk, schedule_at=delivery.next_attempt_at)
        attempt.save()
        delivery.save(update_fields=["status", "attempts", "next_attempt_at", "delivered_at"])
    return attempt


def redeliver(deliveries):
    """Re-queue the failed ones among ``deliveries`` for a fresh round of attempts (the
    log of earlier attempts is kept). Returns how many were re-queued."""
    count = 0
    for pk in deliveries.filter(status=DeliveryStatus.FAILED).values_list("pk", flat=True):
        with transaction.atomic():
            reset = WebhookDelivery.objects.filter(pk=pk, status=DeliveryStatus.FAILED).update(
                status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
            )
            if reset:
                queue.defer_delivery(pk)
                count += 1
    return count


def requeue_overdue():
    """Queue again the pending deliveries whose next attempt is long overdue (their job
    was lost); a delivery whose job still waits in the queue is left alone."""
    overdue = WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING,
        subscription__is_active=True,
        next_attempt_at__lt=timezone.now() - OVERDUE_AFTER,
    ).values_list("pk", flat=True)[:1000]
    return sum(queue.defer_delivery(pk) for pk in overdue)
