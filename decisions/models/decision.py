from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from decisions.choices import (
    PRE_PUBLICATION_KINDS,
    Confidentiality,
    DecisionCategory,
    DocumentKind,
    Stage,
)
from registry.models import PublicRecord, RestrictedQuerySet
from registry.models.text import PlainTextModel
from registry.permissions import is_legality_reviewer
from registry.querying import prefix_q

# Stages at and after which the legality reviewers see a decision (drafts included).
REVIEWED_STAGES = (
    Stage.LEGALITY_REVIEW,
    Stage.DELIBERATION,
    Stage.DECIDED,
    Stage.IMPLEMENTING,
    Stage.EVALUATED,
    Stage.SUSPENDED,
)


def local_today():
    """Today in Asia/Shanghai: the day on which legal periods are counted."""
    return timezone.localdate()


class Decision(PublicRecord):
    """A major administrative decision (重大行政决策) listed in an annual catalogue.

    The record's ``name`` is the decision's title and its ``department`` the sponsor
    (承办单位). ``stage`` follows the procedure of 《重大行政决策程序暂行条例》 and changes only
    through :mod:`decisions.services.lifecycle`.
    """

    # PROTECT: a catalogue's entries are its public content.
    catalogue = models.ForeignKey(
        "decisions.Catalogue",
        verbose_name=_("年度目录"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    category = models.CharField(_("决策类别"), max_length=20, choices=DecisionCategory.choices)
    background = models.TextField(_("决策背景"), blank=True)
    legal_basis = models.TextField(_("决策依据"), blank=True)
    stage = models.CharField(
        _("决策阶段"), max_length=20, choices=Stage.choices, default=Stage.PLANNED, editable=False
    )
    stage_reason = models.TextField(_("中止或调出目录的理由"), blank=True, editable=False)
    stage_changed_at = models.DateTimeField(_("阶段变更时间"), null=True, editable=False)
    confidentiality = models.CharField(
        _("保密等级"), max_length=20, choices=Confidentiality.choices, default=Confidentiality.NONE
    )
    confidentiality_ground = models.CharField(_("不予公开的法律依据"), max_length=500, blank=True)
    public_interest_high = models.BooleanField(_("涉及重大公共利益"), default=False)
    risk_assessor = models.CharField(
        _("决策前风险评估机构"),
        max_length=200,
        blank=True,
        help_text=_("决策后评估不得由其承担（第三十六条）"),
    )
    prepublished_on = models.DateField(_("预公开日期"), null=True, blank=True, editable=False)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True, editable=False)
    document_number = models.CharField(_("决定文号"), max_length=100, blank=True, editable=False)
    final_text = models.TextField(_("决策文本"), blank=True, editable=False)
    adoption_explanation = models.TextField(_("意见采纳情况说明"), blank=True, editable=False)

    amend_forbidden_fields = ("department", "catalogue", "confidentiality")
    computed_fields = {
        **PublicRecord.computed_fields,
        "prepublished_on": _("发布征求意见时取其开始日期，此后草案、说明和依据公开"),
    }

    # Its documents are public only while it is (and, for drafts, once pre-published).
    public_dependents = (("decisions.DecisionDocument", "decision"),)

    class Meta:
        verbose_name = _("重大行政决策")
        verbose_name_plural = _("重大行政决策")
        indexes = [
            models.Index(fields=["department", "-id"], name="decision_department_idx"),
            models.Index(fields=["stage"], name="decision_stage_idx"),
        ]

    def clean(self):
        super().clean()
        from django.core.exceptions import ValidationError

        if self.confidentiality != Confidentiality.NONE and not self.confidentiality_ground:
            raise ValidationError({"confidentiality_ground": _("不予公开的决策必须写明法律依据。")})

    @classmethod
    def disclosable_q(cls):
        return super().disclosable_q() & ~models.Q(confidentiality=Confidentiality.FULLY_WITHHELD)

    @classmethod
    def district_scope_q(cls, user):
        if is_legality_reviewer(user):
            return models.Q(stage__in=REVIEWED_STAGES)
        return None

    def shown_in_full_to(self, scope):
        """Whether a reader with this :class:`~registry.permissions.MemberScope` sees the
        withheld parts: the sponsor department, oversight, and legality reviewers once the
        decision is sent to them."""
        return scope.covers(self.department_id) or (
            scope.legality_reviewer and self.stage in REVIEWED_STAGES
        )

    @property
    def prepublication_public(self):
        """Whether the draft, explanation and basis are public by now (预公开)."""
        return (
            self.confidentiality == Confidentiality.NONE
            and self.prepublished_on is not None
            and self.prepublished_on <= local_today()
        )


def _document_path(instance, filename):
    return f"decisions/{instance.decision_id}/{instance.kind}/{instance.sha256}"


class DecisionDocument(PlainTextModel):
    """A versioned attachment of a decision: the draft, its explanation, the basis documents,
    the final text. Stored with size, type and SHA-256; never replaced, only superseded by a
    new version."""

    # PROTECT: documents are evidence of the procedure.
    decision = models.ForeignKey(
        Decision, verbose_name=_("重大行政决策"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("材料类型"), max_length=20, choices=DocumentKind.choices)
    version = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=300)
    file = models.FileField(_("文件"), upload_to=_document_path, max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    # PROTECT: who uploaded evidence must stay known.
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )

    objects = RestrictedQuerySet.as_manager()

    permission_department_path = "decision__department"

    # Public events of a document also change the decision that lists it.
    public_dependents = (("decisions.Decision", "documents"),)

    class Meta:
        verbose_name = _("决策材料")
        verbose_name_plural = _("决策材料")
        ordering = ["decision", "kind", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "kind", "version"], name="unique_document_version"
            )
        ]

    def __str__(self):
        return f"{self.title} v{self.version}"

    @classmethod
    def district_scope_q(cls, user):
        if is_legality_reviewer(user):
            return models.Q(decision__stage__in=REVIEWED_STAGES)
        return None

    @classmethod
    def public_q(cls):
        """Public while the decision is; pre-publication material only once consultation has
        opened and only for decisions that are not withheld."""
        decision_public = prefix_q(Decision.public_q(), "decision")
        prepublished = models.Q(
            decision__confidentiality=Confidentiality.NONE,
            decision__prepublished_on__lte=local_today(),
        )
        return decision_public & (~models.Q(kind__in=PRE_PUBLICATION_KINDS) | prepublished)
