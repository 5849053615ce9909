"""Signal handlers of the webhook app."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from registry.models import AuditEntry
from registry.webhooks import queue


@receiver(post_save, sender=AuditEntry, dispatch_uid="webhooks.dispatch_after_public_event")
def dispatch_after_public_event(sender, instance, created, **kwargs):
    """A public event was recorded: once its transaction commits, queue a dispatch (one
    quick insert; the receivers are contacted later by the worker, never by the request)."""
    if created and instance.is_public:
        transaction.on_commit(queue.request_dispatch)
