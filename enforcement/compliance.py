"""Compliance checks and deadline sources of the enforcement-disclosure registry,
registered with :mod:`registry.compliance` from ``EnforcementConfig.ready()``."""

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from enforcement.models import EnforcementAction, InspectionResult
from registry.compliance import registration
from registry.compliance.checks import (
    Check,
    Measure,
    PublicationTimeliness,
    WithheldReassessment,
    local_date,
)
from registry.compliance.deadlines import PublicationDeadlines, ReassessmentDeadlines

# A minor's case is never published (《未成年人保护法》 art. 103): it never falls due.
MINORS_CASE = Q(party_is_minor=True)
ACTION_PUBLICATION_BASIS = _(
    "国办发〔2018〕118号（行政许可、行政处罚7个工作日，其他20个工作日）；"
    "《中华人民共和国政府信息公开条例》第二十六条"
)
INSPECTION_PUBLICATION_BASIS = _(
    "《国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见》（20个工作日）"
)
WITHDRAWAL_BASIS = _("《中华人民共和国行政处罚法》第四十八条第二款、第八十五条（3个工作日）")


class ActionPublication(PublicationTimeliness):
    """Enforcement decisions published within their ``publication_due`` (the strictest
    applicable rule, computed when the decision was entered), late, or overdue now."""

    code = "enforcement_action_publication"
    label = _("执法决定按期公开")
    legal_basis = ACTION_PUBLICATION_BASIS
    registry = "enforcement"
    model = EnforcementAction
    period_field = "decision_date"
    period_label = _("决定日期")
    exempt = MINORS_CASE


class InspectionResultPublication(PublicationTimeliness):
    """Random-inspection results published within 20 working days of the inspection's end."""

    code = "inspection_result_publication"
    label = _("抽查结果按期公示")
    legal_basis = INSPECTION_PUBLICATION_BASIS
    registry = "enforcement"
    model = InspectionResult
    period_field = "inspected_until"
    period_label = _("检查结束日期")


class ActionWithdrawal(Check):
    """Published decisions that were changed, revoked or confirmed unlawful, withdrawn
    within 3 working days of that event (``withdrawal_due``, recorded with the withdrawal)
    or later."""

    code = "enforcement_withdrawal"
    label = _("执法决定变更、撤销后按期撤回")
    legal_basis = WITHDRAWAL_BASIS
    registry = "enforcement"
    model = EnforcementAction
    period_label = _("撤回事由发生日期")
    measures = (
        Measure("on_time", _("按期撤回")),
        Measure("late", _("逾期撤回"), listed=True),
    )
    detail_fields = (
        "withdrawal_due",
        "withdrawn_day",
        "withdrawal_trigger",
        "withdrawal_trigger_date",
    )

    def rows(self, period, today):
        return EnforcementAction.objects.filter(
            period.q("withdrawal_trigger_date"),
            withdrawal_due__isnull=False,
            withdrawn_at__isnull=False,
        ).annotate(withdrawn_day=local_date("withdrawn_at"))

    def condition(self, measure, today):
        return {
            "on_time": Q(withdrawn_day__lte=F("withdrawal_due")),
            "late": Q(withdrawn_day__gt=F("withdrawal_due")),
        }[measure]

    def dates(self, row, today):
        return row["withdrawal_due"], row["withdrawn_day"]

    def extra(self, row):
        return {
            "trigger": row["withdrawal_trigger"],
            "trigger_date": row["withdrawal_trigger_date"],
        }


class ActionDeadlines(PublicationDeadlines):
    code = "enforcement_action_publication"
    label = _("执法决定公开期限")
    legal_basis = ACTION_PUBLICATION_BASIS
    registry = "enforcement"
    model = EnforcementAction
    exempt = MINORS_CASE


class InspectionResultDeadlines(PublicationDeadlines):
    code = "inspection_result_publication"
    label = _("抽查结果公示期限")
    legal_basis = INSPECTION_PUBLICATION_BASIS
    registry = "enforcement"
    model = InspectionResult


def register():
    for check in (
        ActionPublication(),
        InspectionResultPublication(),
        ActionWithdrawal(),
        WithheldReassessment("enforcement"),
    ):
        registration.register_check(check)
    for source in (
        ActionDeadlines(),
        InspectionResultDeadlines(),
        ReassessmentDeadlines("enforcement"),
    ):
        registration.register_deadlines(source)
