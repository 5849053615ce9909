"""Builders for fiscal scenarios, through the service functions."""

import datetime
from decimal import Decimal

from fiscal.models import (
    Bond,
    BondDisclosure,
    BondProject,
    DebtReport,
    FundingLine,
    InvestmentProject,
    PerformanceTarget,
    ProjectProgress,
    SelfEvaluation,
)
from fiscal.services import parts
from registry.services import workflow

TARGETS = [
    ("quantity", "新增学位数", "≥1200", "个"),
    ("social", "适龄儿童入学率", "≥99", "%"),
    ("service_user_satisfaction", "家长满意度", "≥90", "%"),
]


def project(
    department,
    editor,
    *,
    publisher=None,
    amount="350000.00",
    category="school",
    code="P2026-001",
    complete=True,
    **fields,
):
    record = workflow.create(
        InvestmentProject,
        acting_user=editor,
        department=department,
        name=fields.pop("name", "璧山区某小学教学楼改造工程"),
        date_made=datetime.date(2026, 3, 1),
        project_code=code,
        category=category,
        year=2026,
        total_investment=Decimal(amount),
        project_text=fields.pop("project_text", "改造教学楼一栋，建筑面积3000平方米。"),
        **fields,
    )
    if complete:
        for kind, indicator, value, unit in TARGETS:
            parts.add_part(
                record,
                PerformanceTarget,
                acting_user=editor,
                kind=kind,
                indicator=indicator,
                target_value=value,
                unit=unit,
            )
        parts.add_part(
            record, FundingLine, acting_user=editor, source="general_budget", amount=Decimal(amount)
        )
    if publisher is not None:
        record = workflow.publish(record, acting_user=publisher)
    return record


def debt_report(
    department, editor, *, publisher=None, year=2025, point="final_accounts", **overrides
):
    values = {
        "general_limit": Decimal("8000000000.00"),
        "special_limit": Decimal("12000000000.00"),
        "total_limit": Decimal("20000000000.00"),
        "general_balance": Decimal("7000000000.00"),
        "special_balance": Decimal("11000000000.00"),
        "total_balance": Decimal("18000000000.00"),
        "principal_repaid": Decimal("900000000.00"),
        "interest_repaid": Decimal("600000000.00"),
        "general_budget_revenue": Decimal("6000000000.00"),
        "fund_budget_revenue": Decimal("5000000000.00"),
        "state_capital_revenue": Decimal("200000000.00"),
        "transfer_revenue": Decimal("3800000000.00"),
        "comprehensive_capacity": Decimal("15000000000.00"),
        **overrides,
    }
    record = workflow.create(
        DebtReport,
        acting_user=editor,
        department=department,
        name=f"{year}年政府债务情况（{point}）",
        date_made=datetime.date(year + 1, 6, 1),
        year=year,
        reporting_point=point,
        **values,
    )
    if publisher is not None:
        record = workflow.publish(record, acting_user=publisher)
    return record


def bond(department, editor, *, publisher=None, code="2026050001", issue=None, years=10):
    issue = issue or datetime.date(2024, 5, 20)
    record = workflow.create(
        Bond,
        acting_user=editor,
        department=department,
        name=f"{issue.year}年重庆市政府专项债券（璧山）",
        date_made=issue,
        code=code,
        bond_type="special",
        purpose="new",
        amount=Decimal("300000000.00"),
        term_years=years,
        coupon_rate=Decimal("2.5800"),
        issue_date=issue,
        maturity_date=issue.replace(year=issue.year + years),
        interest_schedule="每半年付息一次，到期还本",
        use_of_proceeds="璧山区学校和医院建设项目",
    )
    if publisher is not None:
        record = workflow.publish(record, acting_user=publisher)
    return record


def progress(project, editor, *, publisher=None, name="项目进展情况"):
    record = workflow.create(
        ProjectProgress,
        acting_user=editor,
        department=project.department,
        project=project,
        name=name,
        date_made=datetime.date(2026, 6, 30),
        progress_percent=40,
        amount_spent=Decimal("140000.00"),
    )
    return workflow.publish(record, acting_user=publisher) if publisher else record


def evaluation(project, editor, *, publisher=None, name="年度绩效自评"):
    record = workflow.create(
        SelfEvaluation,
        acting_user=editor,
        department=project.department,
        project=project,
        name=name,
        date_made=datetime.date(2026, 12, 20),
        evaluation_year=2026,
        score=Decimal("92.50"),
        results=[{"target": project.targets.first().pk, "actual": "1250"}],
    )
    return workflow.publish(record, acting_user=publisher) if publisher else record


def funding_bond(department, editor, *, publisher=None, code, projects=()):
    """A bond funding ``projects`` (allocated while it is a draft)."""
    record = bond(department, editor, code=code)
    for project in projects:
        parts.add_part(
            record, BondProject, acting_user=editor, project=project, amount=Decimal("350000.00")
        )
    return workflow.publish(record, acting_user=publisher) if publisher else record


def disclosure(bond, editor, *, publisher=None, year=2025, name=None):
    record = workflow.create(
        BondDisclosure,
        acting_user=editor,
        department=bond.department,
        bond=bond,
        name=name or f"{year}年存续期信息",
        date_made=datetime.date(year, 6, 20),
        kind="annual",
        period_year=year,
    )
    return workflow.publish(record, acting_user=publisher) if publisher else record
