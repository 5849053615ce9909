"""procrastinate tasks of the webhook app (run by ``manage.py procrastinate worker``, which
``make run`` starts beside gunicorn)."""

from procrastinate.contrib.django import app

from registry.webhooks import queue


@app.periodic(cron="* * * * *", periodic_id="every-minute")
@app.task(name=queue.DISPATCH_TASK, queue=queue.QUEUE, queueing_lock=queue.DISPATCH_LOCK)
def dispatch_events(timestamp=None):
    """Turn new public events into deliveries and queue them. Queued after every public
    write, and every minute as a safety net (which also re-queues overdue deliveries)."""
    from registry.webhooks import services

    services.dispatch()
    services.requeue_overdue()


@app.task(name=queue.DELIVER_TASK, queue=queue.QUEUE)
def deliver_webhook(delivery_id):
    """One attempt to deliver one delivery; a failed attempt schedules the next one."""
    from registry.webhooks import services

    services.deliver(delivery_id)
