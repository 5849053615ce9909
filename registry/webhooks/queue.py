"""Putting webhook jobs on the procrastinate queue.

Jobs are deferred through Django's own database connection, so a job deferred inside a
transaction commits or rolls back with it: a delivery row and the job that delivers it
exist together or not at all."""

import functools
import logging

from procrastinate import exceptions, manager
from procrastinate import tasks as procrastinate_tasks
from procrastinate.contrib.django.django_connector import DjangoConnector

logger = logging.getLogger(__name__)

QUEUE = "webhooks"
DISPATCH_TASK = "webhooks.dispatch_events"
DELIVER_TASK = "webhooks.deliver_webhook"
# At most one dispatch job waits in the queue at a time.
DISPATCH_LOCK = "webhooks.dispatch_events"


@functools.cache
def _job_manager():
    return manager.JobManager(connector=DjangoConnector())


def delivery_lock(delivery_id):
    """Queueing lock of a delivery's job: at most one waits in the queue per delivery."""
    return f"webhooks.delivery.{delivery_id}"


def _job(task_name, *, queueing_lock, schedule_at=None, **task_kwargs):
    return procrastinate_tasks.configure_task(
        name=task_name,
        job_manager=_job_manager(),
        queue=QUEUE,
        queueing_lock=queueing_lock,
        schedule_at=schedule_at,
        task_kwargs=task_kwargs,
    ).job


def _defer(job):
    """Defer one job in a savepoint; ``False`` when its queueing lock is taken (a job for
    the same work already waits), without breaking the surrounding transaction."""
    from django.db import transaction

    try:
        with transaction.atomic():
            _job_manager().defer_job(job)
    except exceptions.AlreadyEnqueued:
        return False
    return True


def defer_deliveries(delivery_ids):
    """One ``deliver_webhook`` job per (new) delivery, in the current transaction."""
    jobs = [
        _job(DELIVER_TASK, queueing_lock=delivery_lock(pk), delivery_id=pk) for pk in delivery_ids
    ]
    if jobs:
        _job_manager().batch_defer_jobs(jobs)


def defer_delivery(delivery_id, *, schedule_at=None):
    """A ``deliver_webhook`` job for one delivery (``False`` if one already waits)."""
    return _defer(
        _job(
            DELIVER_TASK,
            queueing_lock=delivery_lock(delivery_id),
            schedule_at=schedule_at,
            delivery_id=delivery_id,
        )
    )


def defer_dispatch(*, schedule_at=None):
    """A ``dispatch_events`` job (``False`` if one already waits)."""
    return _defer(_job(DISPATCH_TASK, queueing_lock=DISPATCH_LOCK, schedule_at=schedule_at))


def request_dispatch():
    """Ask the worker to dispatch new events soon (run after a public audit entry commits).

    Never raises: the write that triggered it has already committed, and the worker's
    periodic dispatch (every minute) catches up with anything a failed request missed."""
    from procrastinate.contrib.django.models import ProcrastinateJob

    from registry.webhooks.models import WebhookSubscription

    try:
        if not WebhookSubscription.objects.filter(is_active=True).exists():
            return
        if ProcrastinateJob.objects.filter(queueing_lock=DISPATCH_LOCK, status="todo").exists():
            return  # the waiting job will see this event too
        defer_dispatch()
    except Exception:
        logger.exception("webhooks: could not queue a dispatch; the periodic dispatch catches up")
