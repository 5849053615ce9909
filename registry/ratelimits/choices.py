"""Enumerations of API keys and rate limits."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ClientKind(models.TextChoices):
    """Which default rate a client gets: the keys of ``REGISTRY_RATE_LIMITS``."""

    ANONYMOUS = "anonymous", _("匿名客户端（按IP地址计数）")
    KEYED = "keyed", _("持接口密钥或已登录的客户端")


class RatePeriod(models.IntegerChoices):
    """The window lengths a rate may use (``N/second|minute|hour|day``), in seconds."""

    SECOND = 1, _("每秒")
    MINUTE = 60, _("每分钟")
    HOUR = 3600, _("每小时")
    DAY = 86400, _("每天")
