"""Enumerations of the webhook app. Labels are Chinese; the English translation lives in
``locale/en``."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.choices import PUBLIC_AUDIT_ACTIONS


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待投递")
    DELIVERED = "delivered", _("已投递")
    FAILED = "failed", _("投递失败（已放弃）")


def event_type_choices():
    """The event types a subscription can choose: the public audit actions."""
    return [(action.value, action.label) for action in PUBLIC_AUDIT_ACTIONS]
