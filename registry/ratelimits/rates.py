"""Rates written ``N/period`` (period ``second``, ``minute``, ``hour`` or ``day``; the DRF
abbreviations ``s``, ``m``, ``h``, ``d`` are accepted too) and the configured defaults."""

import functools
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext_lazy as _

from registry.ratelimits.choices import ClientKind, RatePeriod

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(second|minute|hour|day|s|m|h|d)s?\s*$", re.IGNORECASE)
_PERIODS = {
    "s": RatePeriod.SECOND,
    "m": RatePeriod.MINUTE,
    "h": RatePeriod.HOUR,
    "d": RatePeriod.DAY,
}


@dataclass(frozen=True)
class Rate:
    """At most ``limit`` requests in each window of ``period`` seconds."""

    limit: int
    period: RatePeriod

    def __str__(self):
        return f"{self.limit}/{self.period.name.lower()}"


@functools.lru_cache(maxsize=256)
def parse_rate(value):
    """``"120/minute"`` -> ``Rate(120, RatePeriod.MINUTE)``; ValueError when malformed."""
    match = _RATE.match(str(value))
    if not match or int(match[1]) < 1:
        raise ValueError(f"{value!r} is not a rate like '120/minute' (N/second|minute|hour|day)")
    return Rate(int(match[1]), _PERIODS[match[2][0].lower()])


def setting_rate(value, setting_name):
    """A rate from the settings: a malformed one is a configuration error naming the
    setting."""
    try:
        return parse_rate(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{setting_name}: {exc}") from None


def default_rate(kind):
    """The configured rate of a :class:`ClientKind` (``REGISTRY_RATE_LIMITS``)."""
    limits = settings.REGISTRY_RATE_LIMITS
    if kind not in limits:
        raise ImproperlyConfigured(f"REGISTRY_RATE_LIMITS has no rate for {kind!r}")
    return setting_rate(limits[kind], f"REGISTRY_RATE_LIMITS[{kind!r}]")


def check_settings():
    """Fail at start-up, not at the first request, on a malformed default rate."""
    for kind in ClientKind.values:
        default_rate(kind)


def validate_rate(value):
    """Model-field validator of a per-key rate override."""
    try:
        parse_rate(value)
    except ValueError:
        raise ValidationError(
            _("频率格式应为“次数/周期”，周期为 second、minute、hour 或 day，例如 5000/hour。"),
            code="invalid_rate",
        ) from None
