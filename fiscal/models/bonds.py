import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from fiscal.choices import BondPurpose, BondType, DisclosureKind
from registry.models import PublicRecord, RestrictedQuerySet
from registry.querying import prefix_q

MONEY = {"max_digits": 18, "decimal_places": 2}
# 《地方政府债务信息公开办法（试行）》: during-life information each year by the end of June.
ANNUAL_DISCLOSURE_MONTH_DAY = (6, 30)
ANNUAL_DISCLOSURE_BASIS = "《地方政府债务信息公开办法（试行）》（财预〔2018〕209号）"


class Bond(PublicRecord):
    """A local government bond (地方政府债券) with its issuance information; ``name`` is the
    bond's name."""

    code = models.CharField(_("债券代码"), max_length=30, unique=True)
    bond_type = models.CharField(_("债券类型"), max_length=20, choices=BondType.choices)
    purpose = models.CharField(_("发行用途类别"), max_length=20, choices=BondPurpose.choices)
    amount = models.DecimalField(_("发行金额（元）"), **MONEY)
    term_years = models.PositiveSmallIntegerField(_("期限（年）"))
    coupon_rate = models.DecimalField(_("票面利率（%）"), max_digits=6, decimal_places=4)
    issue_date = models.DateField(_("发行日期"))
    maturity_date = models.DateField(_("到期日期"))
    interest_schedule = models.CharField(_("付息方式"), max_length=200)
    use_of_proceeds = models.TextField(_("资金用途"))
    projects = models.ManyToManyField(
        "fiscal.InvestmentProject",
        through="fiscal.BondProject",
        verbose_name=_("募投项目"),
        related_name="bonds",
        blank=True,
    )

    amend_forbidden_fields = ("department", "code", "issue_date", "amount")
    computed_fields = {
        **PublicRecord.computed_fields,
        "next_disclosure_due": _("下一个年度存续期信息公开截止日（每年6月30日）"),
        "overdue_disclosure_years": _("已过6月30日而年度存续期信息尚未公开的年度"),
    }

    class Meta:
        verbose_name = _("地方政府债券")
        verbose_name_plural = _("地方政府债券")
        ordering = ["-issue_date", "id"]

    def clean(self):
        super().clean()
        errors = {}
        if self.amount is not None and self.amount <= 0:
            errors["amount"] = _("发行金额必须大于零。")
        if self.coupon_rate is not None and not 0 <= self.coupon_rate < 100:
            errors["coupon_rate"] = _("票面利率应在0至100之间（百分比）。")
        if self.issue_date and self.maturity_date and self.term_years:
            expected = _add_years(self.issue_date, self.term_years)
            if self.maturity_date != expected:
                errors["maturity_date"] = _("到期日期应为发行日期加期限：%(date)s。") % {
                    "date": expected.isoformat()
                }
        if errors:
            raise ValidationError(errors)

    def annual_disclosure_years(self, today):
        """The years whose annual during-life disclosure was due (30 June) before ``today``."""
        last = latest_passed_due_year(today)
        return list(range(self.issue_date.year + 1, min(last, self.maturity_date.year) + 1))

    def next_disclosure_due(self, today):
        month, day = ANNUAL_DISCLOSURE_MONTH_DAY
        year = today.year if today <= datetime.date(today.year, month, day) else today.year + 1
        year = max(year, self.issue_date.year + 1)
        return datetime.date(year, month, day) if year <= self.maturity_date.year else None


def latest_passed_due_year(today):
    """The last year whose 30 June deadline has passed by ``today``."""
    month, day = ANNUAL_DISCLOSURE_MONTH_DAY
    return today.year if today > datetime.date(today.year, month, day) else today.year - 1


def _add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class BondProject(models.Model):
    """How much of a bond funds one investment project."""

    # CASCADE: the allocation is part of the bond's issuance information.
    bond = models.ForeignKey(Bond, on_delete=models.CASCADE, related_name="allocations")
    # PROTECT: a funded project stays while a bond points at it.
    project = models.ForeignKey(
        "fiscal.InvestmentProject", on_delete=models.PROTECT, related_name="bond_allocations"
    )
    amount = models.DecimalField(_("安排金额（元）"), **MONEY)

    objects = RestrictedQuerySet.as_manager()
    permission_department_path = "bond__department"
    also_restricted_by = ("project",)

    class Meta:
        verbose_name = _("债券资金安排")
        verbose_name_plural = _("债券资金安排")
        constraints = [
            models.UniqueConstraint(fields=["bond", "project"], name="unique_bond_project")
        ]

    def __str__(self):
        return f"{self.bond_id} → {self.project_id}: {self.amount}"

    @classmethod
    def public_q(cls):
        """Public when both the bond and the project are (a draft project's name stays
        internal)."""
        from fiscal.models.projects import InvestmentProject

        return prefix_q(Bond.public_q(), "bond") & prefix_q(InvestmentProject.public_q(), "project")


class BondDisclosure(PublicRecord):
    """A during-life disclosure of a bond (存续期信息): payments made, project progress,
    change of use, major events, or the annual disclosure due by 30 June."""

    # PROTECT: disclosures are the bond's public history.
    bond = models.ForeignKey(
        Bond, verbose_name=_("债券"), on_delete=models.PROTECT, related_name="disclosures"
    )
    kind = models.CharField(_("公开类别"), max_length=20, choices=DisclosureKind.choices)
    period_year = models.PositiveSmallIntegerField(_("所属年度"))
    amount = models.DecimalField(_("涉及金额（元）"), null=True, blank=True, **MONEY)

    owner_field = "bond"
    amend_forbidden_fields = ("department", "bond", "kind", "period_year")

    # The bond shows which annual disclosures are overdue.
    public_dependents = (("fiscal.Bond", "disclosures"),)

    class Meta:
        verbose_name = _("债券存续期信息")
        verbose_name_plural = _("债券存续期信息")
        indexes = [models.Index(fields=["bond", "kind", "period_year"], name="bond_disclosure_idx")]

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == DisclosureKind.CHANGE_OF_USE and not self.summary.strip():
            errors["summary"] = _("资金用途调整须说明调整内容和理由。")
        if errors:
            raise ValidationError(errors)
