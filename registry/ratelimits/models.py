from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.ratelimits.rates import parse_rate, validate_rate


class ApiKey(models.Model):
    """A key that identifies a client application (a portal, a researcher's crawler) to the
    rate limiter. Requests that send it in ``X-API-Key`` are counted per key, at the keyed
    rate or at the key's own ``rate``. A key grants no permissions: what a client may read
    or write still depends on who it is authenticated as.

    Only a short public prefix and the SHA-256 digest of the whole key are stored; the key
    itself is shown once, when it is issued (:func:`registry.ratelimits.keys.issue_key`, the
    admin or ``manage.py create_api_key``). A revoked key answers 401 from then on."""

    name = models.CharField(
        _("名称"), max_length=100, help_text=_("密钥供谁使用，例如门户网站或研究项目的名称")
    )
    organisation = models.CharField(_("单位"), max_length=200, blank=True)
    contact = models.CharField(_("联系人及联系方式"), max_length=200, blank=True)
    prefix = models.CharField(_("公开前缀"), max_length=12, unique=True, editable=False)
    secret_hash = models.CharField(_("密钥SHA-256摘要"), max_length=64, editable=False)
    rate = models.CharField(
        _("专用频率限制"),
        max_length=30,
        blank=True,
        validators=[validate_rate],
        help_text=_("例如 5000/hour；留空时使用持密钥客户端的默认限额"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix})"

    @property
    def rate_override(self):
        """The key's own :class:`~registry.ratelimits.rates.Rate`, or None."""
        return parse_rate(self.rate) if self.rate else None


class Counter(models.Model):
    """Requests of one client in one fixed window, when counting in PostgreSQL (no Redis
    configured, or Redis unreachable). The table is UNLOGGED: counters need no crash safety,
    and skipping the write-ahead log keeps each increment cheap. Rows whose window has
    expired are purged now and then by the increment statement itself."""

    pk = models.CompositePrimaryKey("key", "window_start")
    key = models.CharField(max_length=200)
    window_start = models.BigIntegerField()  # seconds since the epoch
    expires_at = models.BigIntegerField(db_index=True)  # seconds since the epoch
    count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "ratelimits_counter"
        verbose_name = _("访问计数")
        verbose_name_plural = _("访问计数")

    def __str__(self):
        return f"{self.key}@{self.window_start}: {self.count}"
