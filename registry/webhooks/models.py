import datetime
import secrets

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.webhooks.choices import DeliveryStatus


def generate_secret():
    """A fresh signing secret (256 random bits, hex)."""
    return secrets.token_hex(32)


class WebhookSubscription(models.Model):
    """A receiver URL that gets every public event of the change feed matching its filters
    (event types, resources, departments; an empty filter matches everything), each as a
    signed POST. ``last_dispatched_seq`` is its cursor into the audit sequence: events up to
    it have been turned into deliveries. A new subscription starts at the current end of the
    sequence, so it receives future events, not history."""

    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(_("接收地址"), max_length=500)
    secret = models.CharField(
        _("签名密钥"),
        max_length=64,
        default=generate_secret,
        editable=False,
        help_text=_("由系统生成；接收方用它校验 X-Registry-Signature 签名。"),
    )
    event_types = ArrayField(
        # The public audit actions (registry.choices.PUBLIC_AUDIT_ACTIONS); the admin form
        # offers them, so the list can grow without a migration here.
        models.CharField(max_length=20),
        verbose_name=_("事件类型"),
        blank=True,
        default=list,
        help_text=_("不选则接收全部公开事件。"),
    )
    resources = ArrayField(
        models.CharField(max_length=50),
        verbose_name=_("资源"),
        blank=True,
        default=list,
        help_text=_("不选则接收全部资源。"),
    )
    departments = models.ManyToManyField(
        "registry.Department",
        verbose_name=_("部门"),
        blank=True,
        related_name="+",
        help_text=_("不选则接收全部部门。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_dispatched_seq = models.BigIntegerField(_("已分发至事件序号"), default=0, editable=False)

    class Meta:
        verbose_name = _("推送订阅")
        verbose_name_plural = _("推送订阅")
        ordering = ["pk"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self._state.adding and not self.last_dispatched_seq:
            from registry.models import AuditEntry

            last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
            self.last_dispatched_seq = last or 0
        super().save(*args, **kwargs)

    def accepts_entry(self, entry, department_ids):
        """Whether the audit entry passes the event-type and department filters
        (``department_ids``: this subscription's departments, empty for all)."""
        if self.event_types and entry.action not in self.event_types:
            return False
        return not department_ids or entry.department_id in department_ids

    def accepts_resource(self, resource):
        return not self.resources or resource in self.resources


class WebhookDelivery(models.Model):
    """One event to be delivered to one subscription. ``body`` holds the exact JSON bytes
    (UTF-8 text) that are signed and sent on every attempt, so a retry sends what the first
    attempt sent; the receiver de-duplicates by the delivery id (``X-Registry-Delivery``)."""

    # CASCADE: deliveries and their log exist only for their subscription.
    subscription = models.ForeignKey(
        WebhookSubscription,
        verbose_name=_("推送订阅"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    seq = models.BigIntegerField(_("事件序号"))
    event = models.CharField(_("事件"), max_length=20)
    resource = models.CharField(_("资源"), max_length=50)
    object_id = models.BigIntegerField(_("对象编号"))
    body = models.TextField(_("推送内容（JSON）"))
    status = models.CharField(
        _("状态"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("投递成功时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "seq"], name="webhooks_delivery_once_per_event"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"#{self.pk} {self.event} {self.resource}/{self.object_id} → {self.subscription}"


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery (the delivery log): when, how long, the HTTP status
    or the error (timeout, refused connection, …), and when the next attempt was scheduled
    (exponential backoff) if this one failed."""

    # CASCADE: the log belongs to its delivery.
    delivery = models.ForeignKey(
        WebhookDelivery,
        verbose_name=_("推送记录"),
        on_delete=models.CASCADE,
        related_name="attempt_log",
    )
    attempted_at = models.DateTimeField(_("尝试时间"))
    status_code = models.PositiveSmallIntegerField(_("HTTP 状态码"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"))
    retry_at = models.DateTimeField(
        _("下次重试时间"),
        null=True,
        blank=True,
        help_text=_("失败后安排的下一次尝试；成功或已达最大尝试次数时为空。"),
    )

    class Meta:
        verbose_name = _("推送尝试")
        verbose_name_plural = _("推送尝试")
        ordering = ["attempted_at", "pk"]

    def __str__(self):
        outcome = self.status_code if self.status_code is not None else self.error
        return f"{self.attempted_at:%Y-%m-%d %H:%M:%S} {outcome}"

    @property
    def finished_at(self):
        return self.attempted_at + datetime.timedelta(milliseconds=self.duration_ms)

    @property
    def succeeded(self):
        return self.status_code is not None and 200 <= self.status_code < 300
