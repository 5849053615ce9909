"""Compliance checks and deadline sources of the fiscal and debt registry, registered with
:mod:`registry.compliance` from ``FiscalConfig.ready()``."""

import datetime
from functools import reduce
from operator import add

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from fiscal.choices import DisclosureKind
from fiscal.models import Bond, BondDisclosure, InvestmentProject
from fiscal.models.bonds import ANNUAL_DISCLOSURE_MONTH_DAY
from registry.choices import RecordStatus
from registry.compliance import registration
from registry.compliance.checks import (
    Check,
    Measure,
    WithheldReassessment,
    describe_rows,
    local_date,
    page,
    resource_of,
)
from registry.compliance.deadlines import DeadlineSource, ReassessmentDeadlines

BOND_DISCLOSURE_BASIS = _("《地方政府债务信息公开办法（试行）》（财预〔2018〕209号）：每年6月底前")


# 《地方政府债务信息公开办法（试行）》 took effect on 1 January 2019: the first annual
# disclosure it requires is due on 30 June 2019 (earlier years owe none under it).
FIRST_ANNUAL_DUE_YEAR = 2019


def owed_years(bond, first, last):
    """The years from ``first`` to ``last`` whose annual disclosure ``bond`` (a row with
    ``issue_date`` and ``maturity_date``) owes: after its issue year up to its maturity
    year, from 2019. (``BondAnnualDisclosure.owed`` is the same rule in SQL.)"""
    return range(
        max(first, bond["issue_date"].year + 1, FIRST_ANNUAL_DUE_YEAR),
        min(last, bond["maturity_date"].year) + 1,
    )


def annual_due(year):
    """The day the annual during-life disclosure of ``year`` is due (30 June)."""
    month, day = ANNUAL_DISCLOSURE_MONTH_DAY
    return datetime.date(year, month, day)


class UndisclosedProjects(Check):
    """Investment projects that the threshold table says must be disclosed (500,000 yuan;
    300,000 for schools and hospitals) and are not published (the same rule as
    ``investment-projects/undisclosed/``)."""

    code = "investment_project_disclosure"
    label = _("须公开的政府投资项目未公开")
    legal_basis = _("璧山区2019年政务公开工作要点 一(四)；项目公开起点规则表")
    registry = "fiscal"
    model = InvestmentProject
    period_label = _("项目成文日期")
    measures = (
        Measure("required", _("须公开的项目")),
        Measure("undisclosed", _("须公开而未公开"), listed=True),
    )
    detail_fields = ("status", "category", "total_investment", "disclosure_rule")

    def rows(self, period, today):
        return InvestmentProject.objects.filter(period.q("date_made"), disclosure_required=True)

    def condition(self, measure, today):
        return {
            "required": Q(pk__isnull=False),
            "undisclosed": ~Q(status=RecordStatus.PUBLISHED),
        }[measure]

    def extra(self, row):
        return {
            "status": row["status"],
            "category": row["category"],
            "total_investment": str(row["total_investment"]),
            "rule": row["disclosure_rule"],
        }


class BondAnnualDisclosure(Check):
    """Published bonds and the annual during-life disclosure of each year whose 30 June
    falls in the period and has passed: published by then, published later, or missing
    (a bond owes one for each year after its issue year up to its maturity year)."""

    code = "bond_annual_disclosure"
    label = _("债券年度存续期信息按期公开")
    legal_basis = BOND_DISCLOSURE_BASIS
    registry = "fiscal"
    model = Bond
    period_label = _("年度存续期信息公开截止日（6月30日）")
    measures = (
        Measure("on_time", _("按期公开")),
        Measure("late", _("逾期公开"), listed=True),
        Measure("missing", _("逾期未公开"), listed=True),
    )

    def due_years(self, period, today):
        first = max(period.start.year, FIRST_ANNUAL_DUE_YEAR)
        return [
            year
            for year in range(first, min(period.end.year, today.year) + 1)
            if period.contains(annual_due(year)) and annual_due(year) < today
        ]

    def rows(self, period, today):
        """Published bonds, each annotated with the Shanghai date its annual disclosure of
        every due year was first published (``disclosed_<year>``, null when none is)."""
        annotations = {}
        for year in self.due_years(period, today):
            first = (
                BondDisclosure.objects.filter(
                    bond=OuterRef("pk"),
                    kind=DisclosureKind.ANNUAL,
                    status=RecordStatus.PUBLISHED,
                    period_year=year,
                )
                .annotate(on_=local_date("published_at"))
                .order_by("on_")
                .values("on_")[:1]
            )
            annotations[f"disclosed_{year}"] = Subquery(first)
        return Bond.objects.filter(status=RecordStatus.PUBLISHED).annotate(**annotations)

    @staticmethod
    def owed(year):
        return Q(issue_date__year__lt=year, maturity_date__year__gte=year)

    def year_condition(self, measure, year):
        disclosed = f"disclosed_{year}"
        return (
            self.owed(year)
            & {
                "on_time": Q(**{f"{disclosed}__lte": annual_due(year)}),
                "late": Q(**{f"{disclosed}__gt": annual_due(year)}),
                "missing": Q(**{f"{disclosed}__isnull": True}),
            }[measure]
        )

    def counts(self, period, today, department=None):
        years = self.due_years(period, today)
        if not years:
            return {}
        aggregates = {
            m.code: reduce(
                add, (Count("pk", filter=self.year_condition(m.code, year)) for year in years)
            )
            for m in self.measures
        }
        rows = self.rows(period, today)
        if department is not None:
            rows = rows.filter(department=department)
        grouped = rows.values("department").annotate(**aggregates).order_by()
        return {row["department"]: {m.code: row[m.code] for m in self.measures} for row in grouped}

    def detail_page(self, period, today, narrow, department, offset, limit):
        return page(self.detail(period, today, narrow, department), offset, limit)

    def detail(self, period, today, narrow, department=None):
        years = self.due_years(period, today)
        if not years:
            return []
        owed = reduce(lambda a, b: a | b, (self.owed(year) for year in years))
        bonds = narrow(self.rows(period, today).filter(owed))
        if department is not None:
            bonds = bonds.filter(department=department)
        values = (
            bonds.annotate(department_code_=F("department__code"))
            .values(
                "pk",
                "index_number",
                "name",
                "code",
                "department_code_",
                "issue_date",
                "maturity_date",
                *(f"disclosed_{year}" for year in years),
            )
            .order_by("department_code_", "pk")
        )
        rows = []
        for bond in values:
            for year in owed_years(bond, years[0], years[-1]):  # (years: consecutive)
                done = bond[f"disclosed_{year}"]
                if done is not None and done <= annual_due(year):
                    continue
                measure = "missing" if done is None else "late"
                rows.append({**bond, "measure_": measure, "year_": year, "done_": done})
        return describe_rows(self, rows, today, resource_of(Bond))

    def dates(self, row, today):
        return annual_due(row["year_"]), row["done_"]

    def extra(self, row):
        return {"bond_code": row["code"], "year": row["year_"]}


class BondDeadlines(DeadlineSource):
    """Annual during-life disclosures of published bonds not yet published, due by 30 June
    (overdue years included)."""

    code = "bond_annual_disclosure"
    label = _("债券年度存续期信息公开期限")
    legal_basis = BOND_DISCLOSURE_BASIS
    registry = "fiscal"
    model = Bond

    def items(self, until, today, narrow, department=None):
        last = until.year if until >= annual_due(until.year) else until.year - 1
        published = BondDisclosure.objects.filter(
            bond=OuterRef("pk"), kind=DisclosureKind.ANNUAL, status=RecordStatus.PUBLISHED
        ).values("period_year")
        bonds = narrow(
            Bond.objects.filter(status=RecordStatus.PUBLISHED, issue_date__year__lt=last)
        )
        if department is not None:
            bonds = bonds.filter(department=department)
        values = bonds.annotate(
            department_code_=F("department__code"), disclosed_=ArraySubquery(published)
        ).values(
            "pk",
            "index_number",
            "name",
            "code",
            "department_code_",
            "issue_date",
            "maturity_date",
            "disclosed_",
        )
        resource = resource_of(Bond)
        items = []
        for bond in values:
            disclosed = set(bond["disclosed_"])
            for year in owed_years(bond, FIRST_ANNUAL_DUE_YEAR, last):
                if year not in disclosed:
                    row = {**bond, "due_": annual_due(year)}
                    items.append(self.item(row, resource, bond_code=bond["code"], year=year))
        return items


def register():
    for check in (UndisclosedProjects(), BondAnnualDisclosure(), WithheldReassessment("fiscal")):
        registration.register_check(check)
    for source in (BondDeadlines(), ReassessmentDeadlines("fiscal")):
        registration.register_deadlines(source)
