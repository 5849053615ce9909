"""Signal handlers of the registry core."""

from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from registry.models import CalendarDay, CalendarYear


@receiver([post_save, post_delete], sender=CalendarDay)
def bump_calendar_version(sender, instance, **kwargs):
    """Any change to a year's days makes a new calendar version; deadlines record it."""
    CalendarYear.objects.filter(pk=instance.year_id).update(version=F("version") + 1)
