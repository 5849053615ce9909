from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enforcement.choices import (
    ActionKind,
    PartyKind,
    PenaltyType,
    Severity,
    WithdrawalTrigger,
)
from enforcement.models.bodies import BodyPart
from registry.choices import RecordStatus
from registry.exceptions import TransitionError
from registry.models import RestrictedQuerySet
from registry.models.text import PlainTextModel
from registry.querying import prefix_q
from registry.validators import validate_uscc

MONEY = {"max_digits": 16, "decimal_places": 2}


def public_text_field(verbose_name):
    """A column holding the public (redacted) value of a field, filled by ``save()``."""
    return models.TextField(verbose_name, blank=True, default="", editable=False)


class EnforcementAction(BodyPart):
    """An enforcement decision published after the fact (执法结果, 事后公开).

    The party's identity number, home address, phone, bank account and health data are kept
    for the department and never shown to the public; a natural person's name is masked; a
    minor's case is never published (see :mod:`enforcement.redaction`). ``publication_due``
    and ``display_until`` are computed from the rule tables, never typed in.
    """

    # PROTECT: a published decision keeps the power it was taken under.
    power = models.ForeignKey(
        "enforcement.EnforcementPower",
        verbose_name=_("执法职权"),
        on_delete=models.PROTECT,
        related_name="actions",
    )
    kind = models.CharField(_("决定类别"), max_length=20, choices=ActionKind.choices)
    document_number = models.CharField(_("决定文书号"), max_length=100)
    party_name = models.CharField(_("当事人名称"), max_length=200)
    party_kind = models.CharField(_("当事人类别"), max_length=20, choices=PartyKind.choices)
    party_credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, blank=True, validators=[validate_uscc]
    )
    legal_representative = models.CharField(_("法定代表人"), max_length=100, blank=True)
    party_id_type = models.CharField(_("证件类型"), max_length=30, blank=True)
    party_id_number = models.CharField(_("证件号码（不公开）"), max_length=40, blank=True)
    party_address = models.CharField(_("住址（不公开）"), max_length=300, blank=True)
    party_phone = models.CharField(_("联系电话（不公开）"), max_length=40, blank=True)
    party_bank_account = models.CharField(_("银行账户（不公开）"), max_length=60, blank=True)
    party_health_info = models.TextField(_("健康信息（不公开）"), blank=True)
    party_is_minor = models.BooleanField(_("当事人为未成年人"), default=False)
    private_names = ArrayField(
        models.CharField(max_length=100),
        verbose_name=_("须从公开文本中删除的其他个人姓名"),
        default=list,
        blank=True,
    )
    facts = models.TextField(_("违法事实或决定事由"))
    legal_basis = models.TextField(_("决定依据"))
    result = models.TextField(_("决定内容"))
    penalty_types = ArrayField(
        models.CharField(max_length=30, choices=PenaltyType.choices),
        verbose_name=_("处罚种类"),
        default=list,
        blank=True,
    )
    severity = models.CharField(_("失信程度"), max_length=20, choices=Severity.choices, blank=True)
    fine_amount = models.DecimalField(_("罚款金额（元）"), null=True, blank=True, **MONEY)
    confiscation_amount = models.DecimalField(
        _("没收违法所得、非法财物金额（元）"), null=True, blank=True, **MONEY
    )
    licence_name = models.CharField(_("许可证书名称"), max_length=200, blank=True)
    licence_number = models.CharField(_("许可编号"), max_length=100, blank=True)
    licence_scope = models.TextField(_("许可内容"), blank=True)
    decision_date = models.DateField(_("决定日期"))
    valid_from = models.DateField(_("有效期自"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)

    publication_due = models.DateField(_("公开期限"), editable=False)
    publication_rule = models.CharField(_("公开期限规则"), max_length=100, editable=False)
    publication_due_provisional = models.BooleanField(
        _("公开期限为暂定（当年节假日未公布）"), default=False, editable=False
    )
    calendar_version = models.CharField(_("工作日历版本"), max_length=100, editable=False)
    display_until = models.DateField(_("公示截止期"), null=True, blank=True, editable=False)
    display_rule = models.CharField(_("公示期规则"), max_length=100, blank=True, editable=False)
    repair_possible_from = models.DateField(
        _("可申请信用修复日期"), null=True, blank=True, editable=False
    )
    withdrawal_trigger = models.CharField(
        _("撤回原因"),
        max_length=30,
        choices=WithdrawalTrigger.choices,
        blank=True,
        editable=False,
    )
    withdrawal_trigger_date = models.DateField(
        _("撤回事由发生日期"), null=True, blank=True, editable=False
    )
    withdrawal_due = models.DateField(_("撤回期限"), null=True, blank=True, editable=False)
    # The redaction policy applied once per write rather than on every read: the public
    # value of each redacted field (enforcement.redaction.PUBLIC_COLUMNS).
    public_party_name = public_text_field(_("当事人名称（公开文本）"))
    public_legal_representative = public_text_field(_("法定代表人（公开文本）"))
    public_name = public_text_field(_("名称（公开文本）"))
    public_summary = public_text_field(_("内容概述（公开文本）"))
    public_facts = public_text_field(_("违法事实或决定事由（公开文本）"))
    public_legal_basis = public_text_field(_("决定依据（公开文本）"))
    public_result = public_text_field(_("决定内容（公开文本）"))
    public_licence_scope = public_text_field(_("许可内容（公开文本）"))

    amend_forbidden_fields = ("department", "body", "party_is_minor")
    # The change feed announces when this date has passed (the record leaves public lists).
    expiry_field = "display_until"
    computed_fields = {
        **BodyPart.computed_fields,
        "publication_due": _("自决定日期起按工作日历计算，取适用期限规则中最严格者"),
        "display_until": _("决定日期加公示期（按处罚种类和失信程度取最长）；信用修复提前结束"),
        "repair_possible_from": _("决定日期加最短公示期"),
        "withdrawal_due": _("撤回事由发生之日起3个工作日"),
        "is_overdue": _("尚未发布且已过公开期限"),
    }

    class Meta:
        verbose_name = _("执法决定")
        verbose_name_plural = _("执法决定")
        indexes = [
            models.Index(fields=["department", "-id"], name="action_department_idx"),
            # Public lists, newest first: without these a department that imports its case
            # system's decisions as drafts (a hundred thousand at a time) makes every public
            # page skip them all. Drafts are not in them, so imports do not write them.
            models.Index(
                fields=["department", "-id"],
                condition=models.Q(status=RecordStatus.PUBLISHED),
                name="action_public_department_idx",
            ),
            models.Index(
                fields=["-id"],
                condition=models.Q(status=RecordStatus.PUBLISHED),
                name="action_public_idx",
            ),
            models.Index(fields=["kind", "decision_date"], name="action_kind_date_idx"),
            models.Index(fields=["display_until"], name="action_display_idx"),
            # Substring search (``q``, ``icontains``) of three or more characters.
            GinIndex(
                OpClass(Upper("party_name"), name="gin_trgm_ops"), name="action_party_trgm_idx"
            ),
            GinIndex(
                OpClass(Upper("document_number"), name="gin_trgm_ops"),
                name="action_document_trgm_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "document_number"], name="unique_action_document_number"
            )
        ]

    @classmethod
    def disclosable_q(cls):
        """Never a minor's case; off the public lists once the display period has ended."""
        today = timezone.localdate()
        return (
            super().disclosable_q()
            & models.Q(party_is_minor=False)
            & (models.Q(display_until__isnull=True) | models.Q(display_until__gte=today))
        )

    def clean(self):
        super().clean()
        from enforcement.services.deadlines import apply_computed_fields

        errors = {}
        if self.party_kind == PartyKind.LEGAL_PERSON and not self.party_credit_code:
            errors["party_credit_code"] = _("法人及非法人组织须填写统一社会信用代码。")
        if self.kind == ActionKind.PENALTY:
            if not self.penalty_types:
                errors["penalty_types"] = _("行政处罚须至少选择一种处罚种类。")
            if not self.severity:
                errors["severity"] = _("行政处罚须选择失信程度，用于计算公示期。")
        if PenaltyType.FINE in (self.penalty_types or []) and not self.fine_amount:
            errors["fine_amount"] = _("处罚种类含罚款的，须填写罚款金额。")
        for field in ("fine_amount", "confiscation_amount"):
            value = getattr(self, field)
            if value is not None and value < 0:
                errors[field] = _("金额不能为负数。")
        if self.kind == ActionKind.LICENCE and not self.licence_number:
            errors["licence_number"] = _("行政许可须填写许可编号。")
        if self.power_id and self.body_id and self.power.body_id != self.body_id:
            errors["power"] = _("执法职权不属于该执法主体。")
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            errors["valid_until"] = _("有效期至不能早于有效期自。")
        if errors:
            raise ValidationError(errors)
        apply_computed_fields(self)

    def save(self, *args, **kwargs):
        from enforcement import redaction

        redaction.store_public_text(self)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *redaction.PUBLIC_COLUMNS.values()}
        super().save(*args, **kwargs)

    def check_publishable(self):
        if self.party_is_minor:
            raise TransitionError(
                _("当事人为未成年人的案件不予公开（《未成年人保护法》第一百零三条）。"),
                code="minor",
            )

    def public_tombstone(self):
        """The tombstone goes through the redaction policy like the record did."""
        from enforcement import redaction

        tombstone = super().public_tombstone()
        tombstone["name"] = redaction.public_value(self, "name")
        for field in ("withdrawal_reason", "withdrawal_legal_basis"):
            tombstone[field] = redaction.scrub(tombstone[field], self)
        return tombstone

    @property
    def is_overdue(self):
        """Unpublished after the publication deadline (``overdue_q`` in SQL)."""
        return self.published_at is None and timezone.localdate() > self.publication_due

    @staticmethod
    def overdue_q(today):
        """The condition of ``is_overdue`` on ``today`` (the Shanghai date)."""
        return models.Q(published_at__isnull=True, publication_due__lt=today)

    # The SQL form of the properties the API shows (see registry.exports.copy_csv).
    property_expressions = {"is_overdue": overdue_q}


class CreditRepair(PlainTextModel):
    """A credit repair (信用修复) decision that ends a penalty's display period early."""

    # PROTECT: the repair explains why the record left the public lists.
    action = models.OneToOneField(
        EnforcementAction,
        verbose_name=_("执法决定"),
        on_delete=models.PROTECT,
        related_name="credit_repair",
    )
    decided_on = models.DateField(_("修复决定日期"))
    decided_by = models.CharField(_("修复决定机构"), max_length=200)
    document_number = models.CharField(_("修复决定文号"), max_length=100)
    note = models.TextField(_("说明"), blank=True)
    # PROTECT: who recorded the repair must stay known.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    permission_department_path = "action__department"

    class Meta:
        verbose_name = _("信用修复")
        verbose_name_plural = _("信用修复")

    def __str__(self):
        return f"{self.document_number} ({self.action_id})"

    @classmethod
    def public_q(cls):
        return prefix_q(EnforcementAction.public_q(), "action")
