import datetime

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from decisions.choices import (
    Adoption,
    Channel,
    CommentStatus,
    Confidentiality,
    ConsultationDocumentType,
    RejectionReason,
)
from decisions.models.base import DecisionPart
from decisions.models.decision import local_today
from registry.exceptions import TransitionError
from registry.models import PublicRecord, RestrictedQuerySet
from registry.models.text import PlainTextModel
from registry.querying import prefix_q

COMMENT_MAX_LENGTH = 5000


class Consultation(DecisionPart):
    """A public call for comments on a draft decision (art. 14–15).

    Dates are Asia/Shanghai; the period is open from the start of ``opens_on`` to the end of
    ``closes_on``. The minimum length comes from the deadline rule table per document type;
    a shorter period needs a published ``shortening_reason``. A published period may be
    extended (with a public notice) but never shortened.
    """

    document_type = models.CharField(
        _("文件类型"),
        max_length=30,
        choices=ConsultationDocumentType.choices,
        default=ConsultationDocumentType.MAJOR_DECISION,
    )
    opens_on = models.DateField(_("征求意见开始日期"))
    closes_on = models.DateField(_("征求意见截止日期"))
    channels = ArrayField(
        models.CharField(max_length=20, choices=Channel.choices), verbose_name=_("意见反馈渠道")
    )
    shortening_reason = models.TextField(_("缩短征求意见期限的理由"), blank=True)
    minimum_closes_on = models.DateField(_("法定最早截止日期"), editable=False)
    minimum_rule = models.CharField(_("期限规则"), max_length=100, editable=False)
    extension_notice = models.TextField(_("延长公告"), blank=True, editable=False)

    amend_forbidden_fields = (
        "department",
        "decision",
        "opens_on",
        "closes_on",
        "document_type",
        "shortening_reason",
    )
    computed_fields = {
        **DecisionPart.computed_fields,
        "minimum_closes_on": _("开始日期加期限规则规定的最短征求意见期限"),
        "period_days": _("截止日期与开始日期相差的天数"),
    }

    # Publishing a consultation pre-publishes its decision (prepublished_on) and, from the
    # opening day, the decision's draft documents.
    # Its comments are public only while it is.
    public_dependents = (
        ("decisions.Decision", "consultations"),
        ("decisions.DecisionDocument", "decision__consultations"),
        ("decisions.Comment", "consultation"),
    )

    class Meta:
        verbose_name = _("公开征求意见")
        verbose_name_plural = _("公开征求意见")
        indexes = [models.Index(fields=["department", "-id"], name="consultation_department_idx")]

    def clean(self):
        super().clean()
        from decisions.services.consultations import check_period

        if self.decision_id and self.decision.confidentiality != Confidentiality.NONE:
            raise ValidationError({"decision": _("依法不予公开的决策不公开征求意见（第十五条）。")})
        if self.opens_on and self.closes_on:
            check_period(self)
        if not self.channels:
            raise ValidationError({"channels": _("至少提供一种意见反馈渠道。")})

    def check_publishable(self):
        if self.closes_on < local_today():
            raise TransitionError(_("征求意见期限已过，不能再发布。"), code="period_over")

    def on_published(self, acting_user):
        from decisions.services.consultations import prepublish_decision

        prepublish_decision(self)

    def is_open(self, today: datetime.date | None = None):
        today = today or local_today()
        return self.status == "published" and self.opens_on <= today <= self.closes_on

    @property
    def period_days(self):
        return (self.closes_on - self.opens_on).days


class Comment(PlainTextModel):
    """A public comment on a consultation. The commenter's contact details are never public;
    only comments the sponsor department has published are shown."""

    # PROTECT: submitted comments are never lost.
    consultation = models.ForeignKey(
        Consultation, verbose_name=_("征求意见"), on_delete=models.PROTECT, related_name="comments"
    )
    content = models.TextField(_("意见内容"), max_length=COMMENT_MAX_LENGTH)
    author_name = models.CharField(_("署名"), max_length=100, blank=True)
    contact = models.CharField(_("联系方式（不公开）"), max_length=200, blank=True)
    # Set by submit_comment from the clock reading that let the comment in.
    submitted_at = models.DateTimeField(
        _("提交时间"), default=timezone.now, editable=False, db_index=True
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=CommentStatus.choices, default=CommentStatus.PENDING
    )
    rejection_reason = models.CharField(
        _("不予展示理由"), max_length=20, choices=RejectionReason.choices, blank=True
    )
    moderated_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    moderation_note = models.TextField(_("审核备注（内部）"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    permission_department_path = "consultation__department"

    # The consultation shows how many comments are published.
    public_dependents = (("decisions.Consultation", "comments"),)

    class Meta:
        verbose_name = _("公众意见")
        verbose_name_plural = _("公众意见")
        ordering = ["id"]
        indexes = [models.Index(fields=["consultation", "status", "id"], name="comment_list_idx")]

    def __str__(self):
        return f"#{self.pk} {self.content[:30]}"

    @classmethod
    def public_q(cls):
        return models.Q(status=CommentStatus.PUBLISHED) & prefix_q(
            Consultation.public_q(), "consultation"
        )


class AdoptionReport(PublicRecord):
    """The report on how the public comments were used (意见采纳情况), published after the
    period has closed; per comment or theme: adopted, partly adopted, not adopted with a
    reason."""

    # PROTECT: the report answers the consultation and is public history.
    consultation = models.OneToOneField(
        Consultation,
        verbose_name=_("征求意见"),
        on_delete=models.PROTECT,
        related_name="adoption_report",
    )

    owner_field = "consultation"
    amend_forbidden_fields = ("department", "consultation")

    class Meta:
        verbose_name = _("意见采纳情况")
        verbose_name_plural = _("意见采纳情况")

    def check_publishable(self):
        if self.consultation.closes_on >= local_today():
            raise TransitionError(
                _("征求意见尚未截止，不能发布采纳情况。"), code="consultation_open"
            )
        if not self.items.exists():
            raise TransitionError(_("采纳情况至少要有一项。"), code="no_items")


class AdoptionItem(PlainTextModel):
    """How one comment, or one theme of comments, was handled."""

    # CASCADE: items are part of their report (reports are never deleted once published).
    report = models.ForeignKey(
        AdoptionReport, verbose_name=_("采纳情况"), on_delete=models.CASCADE, related_name="items"
    )
    # PROTECT: a comment that was answered stays.
    comment = models.ForeignKey(
        Comment,
        verbose_name=_("对应意见"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adoption_items",
    )
    theme = models.CharField(_("意见主题"), max_length=300, blank=True)
    outcome = models.CharField(_("采纳情况"), max_length=20, choices=Adoption.choices)
    reason = models.TextField(_("理由"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    permission_department_path = "report__department"

    class Meta:
        verbose_name = _("采纳情况条目")
        verbose_name_plural = _("采纳情况条目")
        ordering = ["report", "id"]

    def __str__(self):
        return f"{self.get_outcome_display()}: {self.theme or self.comment_id}"

    @classmethod
    def public_q(cls):
        return prefix_q(AdoptionReport.public_q(), "report")

    def clean(self):
        errors = {}
        if not self.comment_id and not self.theme.strip():
            errors["theme"] = _("请对应一条意见或填写意见主题。")
        if self.outcome != Adoption.ADOPTED and not self.reason.strip():
            errors["reason"] = _("未采纳或部分采纳的必须说明理由。")
        if self.comment_id and self.comment.consultation_id != self.report.consultation_id:
            errors["comment"] = _("该意见不属于本次征求意见。")
        if self.comment_id and self.comment.status != CommentStatus.PUBLISHED:
            errors["comment"] = _("只能对已公开的意见说明采纳情况。")
        if errors:
            raise ValidationError(errors)
