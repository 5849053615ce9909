from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.choices import RecordStatus, WithheldGround
from registry.models.text import PlainTextModel
from registry.querying import prefix_q


class RestrictedQuerySet(models.QuerySet):
    """Querysets of records: ``restrict`` is the one permission path of every surface."""

    def restrict(self, user, action="view", departments=None):
        from registry.permissions import restrict

        return restrict(self, user, action, departments)

    def public(self):
        return self.filter(self.model.public_q())


class PublicRecord(PlainTextModel):
    """Abstract base of every disclosed record: owning department, the OGI metadata
    (《政府信息公开条例》 art. 12: index number, name, summary, date made), the publication
    status, the withholding ground, and the withdrawal tombstone.

    Status fields change only through :mod:`registry.services.workflow`.
    """

    # PROTECT: a department with records cannot be deleted; records are never lost.
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("部门"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    index_number = models.CharField(_("索引号"), max_length=64, unique=True, editable=False)
    name = models.CharField(_("名称"), max_length=300)
    summary = models.TextField(_("内容概述"), blank=True)
    date_made = models.DateField(_("成文日期"))
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=RecordStatus.choices,
        default=RecordStatus.DRAFT,
        editable=False,
    )
    withheld_ground = models.CharField(
        _("不予公开理由"), max_length=32, choices=WithheldGround.choices, blank=True
    )
    withheld_legal_basis = models.CharField(_("不予公开法律依据"), max_length=500, blank=True)
    withheld_reassess_on = models.DateField(_("重新评估日期"), null=True, blank=True)
    published_at = models.DateTimeField(_("首次发布时间"), null=True, blank=True, editable=False)
    revision = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    amended_at = models.DateTimeField(_("最近更正时间"), null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True, editable=False)
    withdrawal_reason = models.TextField(_("撤回理由"), blank=True, editable=False)
    withdrawal_legal_basis = models.CharField(
        _("撤回依据"), max_length=500, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    permission_department_path = "department"
    # Fields the registry computes (never typed in) and the rule that computes each; shown
    # in the data dictionary and the OpenAPI descriptions.
    computed_fields = {
        "index_number": _("按部门和年度顺序编号：统一社会信用代码（或部门代码）/年度-五位序号"),
        "revision": _("首次发布为1，每次更正加1"),
    }

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.index_number} {self.name}"

    # The record this one belongs to (a consultation's decision, a power's enforcement
    # body …): the department follows it, and this record is public only while it is.
    owner_field = None
    # Further relations that must be public for this record to be (besides the owner).
    public_through = ()

    @classmethod
    def disclosable_q(cls):
        """Conditions other than the status under which a record may be disclosed at all:
        not withheld, and its owner (and ``public_through`` relations) public. Registries
        add theirs (confidentiality, display periods) by overriding this."""
        q = models.Q(withheld_ground="")
        for field in (cls.owner_field, *cls.public_through):
            if field:
                related = cls._meta.get_field(field).related_model
                q &= prefix_q(related.public_q(), field)
        return q

    @property
    def owner(self):
        if self.owner_field and getattr(self, f"{self.owner_field}_id", None):
            return getattr(self, self.owner_field)
        return None

    def clean(self):
        super().clean()
        owner = self.owner
        if owner is not None and self.department_id != owner.department_id:
            raise ValidationError({self.owner_field: _("所属记录属于另一个部门。")})

    @classmethod
    def public_q(cls):
        """What anonymous users may see: published and disclosable."""
        return models.Q(status=RecordStatus.PUBLISHED) & cls.disclosable_q()

    def check_publishable(self):
        """Raise ``TransitionError`` if the record may not be published now. Registries
        override this with their legal preconditions; the workflow calls it."""

    def on_published(self, acting_user):
        """Called by the workflow inside the publishing transaction."""

    def public_tombstone(self):
        """What stays public of this record once withdrawn. Registries whose records carry
        personal data redact it here too."""
        return {
            "id": self.pk,
            "index_number": self.index_number,
            "name": self.name,
            "status": self.status,
            "withdrawn_at": self.withdrawn_at,
            "withdrawal_reason": self.withdrawal_reason,
            "withdrawal_legal_basis": self.withdrawal_legal_basis,
        }

    # Fields a published record may not change through ``amend`` (registries extend).
    amend_forbidden_fields = ("department",)

    @classmethod
    def tombstone_q(cls):
        """Withdrawn records whose withdrawal is public (a tombstone, never a silent delete):
        those that were published and are still disclosable."""
        return models.Q(status=RecordStatus.WITHDRAWN, published_at__isnull=False) & (
            cls.disclosable_q()
        )


class IndexNumberSequence(models.Model):
    """The last index number (索引号) handed out per department and year."""

    # CASCADE: the counter means nothing without its department.
    department = models.ForeignKey("registry.Department", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["department", "year"], name="unique_index_sequence")
        ]

    def __str__(self):
        return f"{self.department_id}/{self.year}: {self.last_value}"
