from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from fiscal.choices import ReportingPoint
from registry.models import PublicRecord

MONEY = {"max_digits": 18, "decimal_places": 2}
RATIO = {"max_digits": 9, "decimal_places": 4}

# total field -> the parts it must equal
TOTALS = {
    "total_limit": ("general_limit", "special_limit"),
    "total_balance": ("general_balance", "special_balance"),
    "comprehensive_capacity": (
        "general_budget_revenue",
        "fund_budget_revenue",
        "state_capital_revenue",
        "transfer_revenue",
    ),
}


class DebtReport(PublicRecord):
    """Government debt figures of one year and reporting point (预算、预算调整、决算), as
    《地方政府债务信息公开办法（试行）》 requires: limits and balances, general and special;
    principal and interest repaid; comprehensive fiscal capacity (综合财力) and its parts.

    Totals are entered and must equal their parts; the debt ratio and the debt-service ratio
    are derived with a versioned formula (:mod:`fiscal.services.ratios`), never typed in."""

    year = models.PositiveSmallIntegerField(_("年度"))
    reporting_point = models.CharField(_("报告节点"), max_length=30, choices=ReportingPoint.choices)
    general_limit = models.DecimalField(_("一般债务限额（元）"), **MONEY)
    special_limit = models.DecimalField(_("专项债务限额（元）"), **MONEY)
    total_limit = models.DecimalField(_("债务限额合计（元）"), **MONEY)
    general_balance = models.DecimalField(_("一般债务余额（元）"), **MONEY)
    special_balance = models.DecimalField(_("专项债务余额（元）"), **MONEY)
    total_balance = models.DecimalField(_("债务余额合计（元）"), **MONEY)
    principal_repaid = models.DecimalField(_("偿还本金（元）"), **MONEY)
    interest_repaid = models.DecimalField(_("支付利息（元）"), **MONEY)
    general_budget_revenue = models.DecimalField(_("一般公共预算收入（元）"), **MONEY)
    fund_budget_revenue = models.DecimalField(_("政府性基金预算收入（元）"), **MONEY)
    state_capital_revenue = models.DecimalField(_("国有资本经营预算收入（元）"), **MONEY)
    transfer_revenue = models.DecimalField(_("上级补助收入（元）"), **MONEY)
    comprehensive_capacity = models.DecimalField(_("综合财力（元）"), **MONEY)

    debt_ratio = models.DecimalField(_("债务率（%）"), editable=False, null=True, **RATIO)
    debt_service_ratio = models.DecimalField(_("偿债率（%）"), editable=False, null=True, **RATIO)
    formula_version = models.PositiveSmallIntegerField(_("公式版本"), editable=False)
    general_over_limit = models.BooleanField(_("一般债务余额超限额"), default=False, editable=False)
    special_over_limit = models.BooleanField(_("专项债务余额超限额"), default=False, editable=False)

    amend_forbidden_fields = ("department", "year", "reporting_point")
    computed_fields = {
        **PublicRecord.computed_fields,
        "debt_ratio": _("债务余额合计除以综合财力乘以100%"),
        "debt_service_ratio": _("偿还本金与支付利息之和除以综合财力乘以100%"),
        "general_over_limit": _("一般债务余额大于一般债务限额"),
        "special_over_limit": _("专项债务余额大于专项债务限额"),
        "total_over_limit": _("债务余额合计大于债务限额合计"),
    }

    class Meta:
        verbose_name = _("政府债务报告")
        verbose_name_plural = _("政府债务报告")
        ordering = ["-year", "reporting_point"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "year", "reporting_point"], name="unique_debt_report"
            )
        ]

    def clean(self):
        super().clean()
        from fiscal.services.ratios import apply_derived_figures

        errors = {}
        for field in (f.name for f in self._meta.concrete_fields):
            value = getattr(self, field)
            if field.endswith(("_limit", "_balance", "_repaid", "_revenue", "_capacity")) and (
                value is not None and value < 0
            ):
                errors[field] = _("金额不能为负数。")
        for total, parts in TOTALS.items():
            values = [getattr(self, p) for p in parts]
            if getattr(self, total) is None or any(v is None for v in values):
                continue
            if sum(values) != getattr(self, total):
                errors[total] = _("合计 %(total)s 元不等于各项之和 %(sum)s 元（%(parts)s）。") % {
                    "total": getattr(self, total),
                    "sum": sum(values),
                    "parts": "、".join(str(self._meta.get_field(p).verbose_name) for p in parts),
                }
        if errors:
            raise ValidationError(errors)
        apply_derived_figures(self)

    @property
    def total_over_limit(self):
        return self.total_balance > self.total_limit
