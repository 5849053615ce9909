"""Signal handlers of the registry core."""

from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from registry.api.filters import DEPARTMENT_CODES
from registry.models import AuditEntry, CalendarDay, CalendarYear, Department


@receiver([post_save, post_delete], sender=CalendarDay)
def bump_calendar_version(sender, instance, **kwargs):
    """Any change to a year's days makes a new calendar version; deadlines record it."""
    CalendarYear.objects.filter(pk=instance.year_id).update(version=F("version") + 1)


@receiver(post_save, sender=AuditEntry, dispatch_uid="registry.remember_public_state")
def remember_public_state(sender, instance, created, **kwargs):
    """After a public event commits, keep the digest of the record's public state (the
    daily refresh compares against it; see registry/refresh.py)."""
    if created and instance.is_public:
        from registry.refresh import remember_after_commit

        remember_after_commit(instance.content_type_id, instance.object_id)


@receiver([post_save, post_delete], sender=Department, dispatch_uid="registry.department_codes")
def forget_department_codes(sender, **kwargs):
    """The department filters read the codes again (other processes within a minute)."""
    DEPARTMENT_CODES.forget()
