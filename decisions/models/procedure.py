import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from decisions.choices import Confidentiality, LegalityResult
from decisions.models.base import DecisionPart
from registry.exceptions import TransitionError
from registry.models import RestrictedQuerySet
from registry.models.text import PlainTextModel
from registry.permissions import is_legality_reviewer

HEARING_MATERIALS_DAYS = 7  # art. 19: materials reach participants at least 7 days before


class Hearing(DecisionPart):
    """A public hearing (听证会, art. 16–19): date and place, how participants were selected
    and who they are, published in advance; materials sent at least 7 days before."""

    held_at = models.DateTimeField(_("听证时间"))
    place = models.CharField(_("听证地点"), max_length=300)
    selection_method = models.TextField(_("参加人遴选办法"))
    participants = models.JSONField(
        _("参加人名单"), default=list, help_text=_("列表，每项含 name（姓名）和 sector（界别）")
    )
    materials_sent_on = models.DateField(_("材料送达日期"))

    amend_forbidden_fields = ("department", "decision", "held_at", "materials_sent_on")

    class Meta:
        verbose_name = _("听证会")
        verbose_name_plural = _("听证会")

    def clean(self):
        super().clean()
        errors = {}
        if self.decision_id and self.decision.confidentiality != Confidentiality.NONE:
            errors["decision"] = _("依法不予公开的决策不举行公开听证。")
        if self.held_at and self.materials_sent_on:
            held_on = timezone.localdate(self.held_at)
            latest = held_on - datetime.timedelta(days=HEARING_MATERIALS_DAYS)
            if self.materials_sent_on > latest:
                errors["materials_sent_on"] = _(
                    "听证材料应当至少在听证会举行7日前送达参加人（最迟 %(latest)s）。"
                ) % {"latest": latest.isoformat()}
        if not isinstance(self.participants, list) or not all(
            isinstance(p, dict) and str(p.get("name", "")).strip() for p in self.participants
        ):
            errors["participants"] = _("参加人名单应为列表，每项须有 name。")
        if errors:
            raise ValidationError(errors)

    def check_publishable(self):
        if self.held_at <= timezone.now():
            raise TransitionError(_("听证会信息应当在举行前公布。"), code="too_late")


class ExpertOpinion(DecisionPart):
    """An expert's opinion on a draft decision (专家论证, art. 19–21), with the expert's
    attestation of independence."""

    expert_name = models.CharField(_("专家姓名"), max_length=100)
    organisation = models.CharField(_("工作单位"), max_length=200, blank=True)
    opinion = models.TextField(_("论证意见"))
    independence_attested = models.BooleanField(_("已声明独立性"), default=False)
    attestation = models.TextField(_("独立性声明"), blank=True)

    class Meta:
        verbose_name = _("专家论证意见")
        verbose_name_plural = _("专家论证意见")

    def clean(self):
        super().clean()
        if not self.independence_attested or not self.attestation.strip():
            raise ValidationError(
                {"attestation": _("专家必须声明与决策事项无利害关系（独立性声明）。")}
            )


class LegalityReview(PlainTextModel):
    """The legality review of a draft decision by the district justice bureau (art. 25–27),
    a hard gate before collective deliberation. Recorded by a legality reviewer; the review
    must span at least 7 working days. Internal notes are never public."""

    # PROTECT: the review is evidence that the gate was passed.
    decision = models.ForeignKey(
        "decisions.Decision",
        verbose_name=_("重大行政决策"),
        on_delete=models.PROTECT,
        related_name="legality_reviews",
    )
    # PROTECT: who reviewed must stay known.
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审查人"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    started_on = models.DateField(_("送审日期"))
    minimum_completed_on = models.DateField(
        _("最早完成日期"), editable=False, help_text=_("按期限规则 legality_review_min 计算")
    )
    completed_on = models.DateField(_("审查完成日期"), null=True, blank=True)
    result = models.CharField(
        _("审查结论"), max_length=20, choices=LegalityResult.choices, blank=True
    )
    risk_disclosure = models.TextField(_("风险提示"), blank=True)
    internal_notes = models.TextField(_("内部审查意见（不公开）"), blank=True)
    working_days = models.PositiveIntegerField(_("审查用时（工作日）"), null=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    permission_department_path = "decision__department"
    computed_fields = {
        "minimum_completed_on": _("送审之日起7个工作日"),
        "working_days": _("送审次日至完成之日的工作日数"),
    }

    class Meta:
        verbose_name = _("合法性审查")
        verbose_name_plural = _("合法性审查")
        ordering = ["decision", "id"]

    def __str__(self):
        result = self.get_result_display() or _("审查中")
        return f"{self.decision_id}: {result}"

    @classmethod
    def public_q(cls):
        return models.Q(pk__in=[])  # internal: the public sees the outcome on the decision

    @classmethod
    def district_scope_q(cls, user):
        return models.Q(pk__isnull=False) if is_legality_reviewer(user) else None
