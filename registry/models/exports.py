import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.choices import ExportFormat, ExportKind, ExportStatus, FeedState


class ExportManifest(models.Model):
    """What one bulk download contained: resource, format, the filters applied, the schema
    version, when it was generated, and — once the last byte has been sent — the row count
    and the SHA-256 of exactly the bytes sent. A client downloads, then fetches the manifest
    named in the download's ``Link`` header and checks the two agree.

    Manifests of anonymous downloads are public; a signed-in user's manifest (which may
    count unpublished rows) is shown only to that user."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类型"), max_length=20, choices=ExportKind.choices)
    resource = models.CharField(_("资源"), max_length=64)
    format = models.CharField(_("格式"), max_length=10, choices=ExportFormat.choices)
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    columns = models.JSONField(_("字段"), default=list, blank=True)
    # Snapshots: each file of the archive with its resource, row count and SHA-256.
    files = models.JSONField(_("文件"), default=list, blank=True)
    schema_version = models.CharField(_("数据结构版本"), max_length=20)
    # The change-feed position the rows reflect (read in the same snapshot as the rows):
    # a portal can load the download, then follow /api/v1/changes/ from here.
    change_seq = models.BigIntegerField(_("数据对应的变更序号"), null=True, blank=True)
    generated_at = models.DateTimeField(_("生成时间"))
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ExportStatus.choices, default=ExportStatus.STREAMING
    )
    row_count = models.BigIntegerField(_("行数"), null=True, blank=True)
    byte_count = models.BigIntegerField(_("字节数"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    # XLSX only: cells longer than Excel's 32,767-character limit are cut; CSV and NDJSON
    # are always complete.
    truncated_cells = models.PositiveIntegerField(_("被截断的单元格数"), default=0)
    # SET_NULL: a manifest outlives the account that downloaded it.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("请求人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    file_name = models.CharField(_("文件名"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("导出清单")
        verbose_name_plural = _("导出清单")
        indexes = [models.Index(fields=["kind", "status", "-generated_at"])]

    def __str__(self):
        return f"{self.resource}.{self.format} {self.generated_at:%Y-%m-%d %H:%M}"


class PublicState(models.Model):
    """A record's state in the change feed as last rendered: ``present`` with its public
    representation or ``tombstone`` with its public tombstone (records the public no longer
    sees have none). Rendered after each public event commits and by the daily refresh.

    - ``seq`` is the record's latest public event when the state was rendered (read before
      rendering, so the state is at least that new). The feed shows the stored document for
      an event only when ``seq`` is at or after the event, and only while the record is
      still in that state; anything else is rendered again.
    - ``digest`` (SHA-256) is what the daily refresh compares today's rendering with, to
      announce changes no write caused: a date passing (a consultation opening, pre-published
      drafts becoming public, a disclosure falling due)."""

    # CASCADE: a state means nothing without its content type.
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.BigIntegerField(_("对象编号"))
    state = models.CharField(_("状态"), max_length=20, choices=FeedState.choices, blank=True)
    # Compact JSON, exactly the bytes the feed sends for the record (or its tombstone).
    document = models.TextField(_("公开内容"), blank=True)
    seq = models.BigIntegerField(_("对应的变更序号"), default=0)
    digest = models.CharField(_("摘要"), max_length=64)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("公开状态")
        verbose_name_plural = _("公开状态")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="unique_public_state_digest"
            )
        ]

    def __str__(self):
        return f"{self.content_type_id}:{self.object_id}"
