import datetime
import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.choices import AuditAction
from registry.models.records import RestrictedQuerySet


class AuditEntry(models.Model):
    """One entry of the append-only, hash-chained change log.

    ``entry_hash`` is the SHA-256 of the entry's content together with the previous entry's
    hash, so altering or removing any row breaks the chain from there on
    (``manage.py verify_audit``). A database trigger refuses UPDATE and DELETE.
    """

    seq = models.BigIntegerField(_("序号"), unique=True)
    created_at = models.DateTimeField(_("时间"))
    # SET_NULL: the log outlives user accounts; ``actor_username`` keeps who it was.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    actor_username = models.CharField(_("操作人账号"), max_length=150, blank=True)
    # DO_NOTHING without a constraint: the log is never rewritten by cascades.
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("部门"),
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    request_id = models.CharField(_("请求编号"), max_length=64, blank=True)
    action = models.CharField(_("操作"), max_length=20, choices=AuditAction.choices)
    # PROTECT: the content type names the object's table; it must stay resolvable.
    # (Indexed as the first column of (content_type, object_id, seq).)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    object_id = models.BigIntegerField(_("对象编号"))
    object_repr = models.CharField(_("对象"), max_length=300)
    before = models.JSONField(_("修改前"), null=True, blank=True)
    after = models.JSONField(_("修改后"), null=True, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    is_public = models.BooleanField(_("公开事件"), default=False)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    # Unique by a constraint: ``unique=True`` would add a second, pattern-matching index
    # that nothing uses and every append pays for.
    entry_hash = models.CharField(_("本条哈希"), max_length=64)

    objects = RestrictedQuerySet.as_manager()

    # Entries are reached through their department; none is public through the generic
    # path (public lifecycle events are shown through the record they belong to).
    permission_department_path = "department"

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["entry_hash"], name="audit_entry_hash_unique"),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id", "seq"]),
            # The change feed: public events in sequence order.
            models.Index(
                fields=["seq"], condition=models.Q(is_public=True), name="audit_public_seq_idx"
            ),
        ]

    def __str__(self):
        return f"#{self.seq} {self.action} {self.object_repr}"

    @classmethod
    def public_q(cls):
        return models.Q(pk__in=[])

    # The fields the hash covers (everything but the hash itself and the row id).
    HASHED_FIELDS = (
        "seq",
        "created_at",
        "actor_id",
        "actor_username",
        "department_id",
        "request_id",
        "action",
        "content_type_id",
        "object_id",
        "object_repr",
        "before",
        "after",
        "reason",
        "is_public",
        "prev_hash",
    )

    @staticmethod
    def canonical_text(values):
        """The canonical text the hash covers, of the ``HASHED_FIELDS`` values."""
        return json.dumps(
            {**values, "created_at": values["created_at"].astimezone(datetime.UTC).isoformat()},
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def hash_of(cls, values):
        return hashlib.sha256(cls.canonical_text(values).encode()).hexdigest()

    def hashed_content(self):
        return self.canonical_text({name: getattr(self, name) for name in self.HASHED_FIELDS})

    def compute_hash(self):
        return hashlib.sha256(self.hashed_content().encode()).hexdigest()
