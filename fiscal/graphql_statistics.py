"""Aggregate statistics of the fiscal and debt registry for researchers (GraphQL): the same
rows and filters as the lists, grouped and aggregated in the database; money and ratios as
decimal strings."""

import graphene
from django.db.models import Q

from fiscal.api import filters
from fiscal.graphql import BondDisclosureType, BondType, DebtReportType, InvestmentProjectType
from fiscal.models import Bond, BondDisclosure, DebtReport, InvestmentProject
from registry.graphql import statistics as stats

investment_project_statistics = stats.statistics_field(
    "InvestmentProject",
    InvestmentProject,
    InvestmentProjectType,
    filters.InvestmentProjectFilterSet,
    dimensions={
        "department": stats.department(),
        "year": stats.value("year", "计划年度 (plan year)"),
        "category": stats.value("category"),
        "status": stats.value("status"),
        "disclosure_required": stats.value(
            "disclosure_required", "按公开起点须公开 (must be disclosed by the threshold table)"
        ),
    },
    measures={
        "total_investment": stats.amount("total_investment", "总投资（元） (CNY)"),
        "days_to_publication": stats.days_between(
            stats.local_date("published_at"),
            "date_made",
            "成文至首次发布的天数（自然日） (calendar days from date_made to the "
            "Asia/Shanghai date of published_at)",
        ),
    },
    description="政府投资项目统计 (statistics of government investment projects; group by "
    "DISCLOSURE_REQUIRED and STATUS to see which projects that must be disclosed are not)",
)

debt_report_statistics = stats.statistics_field(
    "DebtReport",
    DebtReport,
    DebtReportType,
    filters.DebtReportFilterSet,
    dimensions={
        "department": stats.department(),
        "year": stats.value("year", "年度 (year)"),
        "reporting_point": stats.value("reporting_point"),
        "status": stats.value("status"),
        "over_limit": stats.flag(
            Q(general_over_limit=True) | Q(special_over_limit=True),
            ["general_over_limit", "special_over_limit"],
            "一般或专项债务余额超限额 (a balance above its limit)",
        ),
    },
    measures={
        "debt_ratio": stats.amount("debt_ratio", "债务率（%） (debt ratio, %)"),
        "debt_service_ratio": stats.amount(
            "debt_service_ratio", "偿债率（%） (debt-service ratio, %)"
        ),
        "total_balance": stats.amount("total_balance", "债务余额合计（元）"),
        "total_limit": stats.amount("total_limit", "债务限额合计（元）"),
    },
    description="政府债务统计 (statistics of government debt reports)",
)

bond_statistics = stats.statistics_field(
    "Bond",
    Bond,
    BondType,
    filters.BondFilterSet,
    dimensions={
        "department": stats.department(),
        "year": stats.year("issue_date", "发行年份 (year of issue_date)"),
        "month": stats.month("issue_date", "发行月份 (month of issue_date, 1–12)"),
        "bond_type": stats.value("bond_type"),
        "purpose": stats.value("purpose"),
        "status": stats.value("status"),
    },
    measures={
        "amount": stats.amount("amount", "发行金额（元） (CNY)"),
        "coupon_rate": stats.amount("coupon_rate", "票面利率（%） (coupon rate, %)"),
        "term_years": stats.number("term_years", "期限（年） (term, years)"),
    },
    description="地方政府债券统计 (statistics of local government bonds)",
)

bond_disclosure_statistics = stats.statistics_field(
    "BondDisclosure",
    BondDisclosure,
    BondDisclosureType,
    filters.BondDisclosureFilterSet,
    dimensions={
        "department": stats.department(),
        "period_year": stats.value("period_year", "所属年度 (period year)"),
        "kind": stats.value("kind"),
        "status": stats.value("status"),
    },
    measures={
        "amount": stats.amount("amount", "涉及金额（元） (CNY)"),
    },
    description="债券存续期信息统计 (statistics of bond during-life disclosures)",
)


class FiscalStatisticsQuery(graphene.ObjectType):
    investment_project_statistics = investment_project_statistics
    debt_report_statistics = debt_report_statistics
    bond_statistics = bond_statistics
    bond_disclosure_statistics = bond_disclosure_statistics
