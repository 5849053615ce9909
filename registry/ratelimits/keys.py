"""Issuing, checking and revoking API keys. A key reads ``trk_<prefix>_<secret>``: the
12-hex-digit prefix is public (it is stored, listed in the admin and used as the counter's
client name), the secret is 32 random bytes. Only the SHA-256 digest of the whole key is
stored."""

import datetime
import hashlib
import hmac
import re
import secrets

from django.utils import timezone

from registry.ratelimits.models import ApiKey

KEY_FORMAT = re.compile(r"^trk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
TOUCH_INTERVAL = datetime.timedelta(minutes=1)  # last_used_at is written at most this often


def digest(raw_key):
    return hashlib.sha256(raw_key.encode()).hexdigest()


def assign_secret(api_key):
    """Give an unsaved key its prefix and digest; return the full key (to show once)."""
    prefix = secrets.token_hex(6)
    while ApiKey.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(6)
    raw_key = f"trk_{prefix}_{secrets.token_urlsafe(32)}"
    api_key.prefix = prefix
    api_key.secret_hash = digest(raw_key)
    return raw_key


def issue_key(*, name, organisation="", contact="", rate=""):
    """Create a key; return ``(api_key, raw_key)``. The raw key is not kept anywhere."""
    api_key = ApiKey(name=name, organisation=organisation, contact=contact, rate=rate)
    raw_key = assign_secret(api_key)
    api_key.full_clean()
    api_key.save()
    return api_key, raw_key


def authenticate_key(raw_key):
    """The active key that ``raw_key`` is, or None (malformed, unknown or revoked)."""
    match = KEY_FORMAT.match(raw_key.strip())
    if not match:
        return None
    api_key = ApiKey.objects.filter(
        prefix=match[1], is_active=True, revoked_at__isnull=True
    ).first()
    if api_key is None or not hmac.compare_digest(api_key.secret_hash, digest(match[0])):
        return None
    _touch(api_key)
    return api_key


def _touch(api_key):
    now = timezone.now()
    if api_key.last_used_at and now - api_key.last_used_at < TOUCH_INTERVAL:
        return
    ApiKey.objects.filter(pk=api_key.pk).exclude(last_used_at__gt=now - TOUCH_INTERVAL).update(
        last_used_at=now
    )


def revoke_keys(queryset):
    """Revoke the keys of ``queryset`` (for good); return how many were still live."""
    return queryset.filter(revoked_at__isnull=True).update(
        is_active=False, revoked_at=timezone.now()
    )
