"""Aggregate statistics of the enforcement registry for researchers (GraphQL): the same rows
and filters as the lists (for the public: published, displayed, never a minor's case), grouped
and aggregated in the database. The party's identity is never a dimension."""

import graphene

from enforcement.api import filters
from enforcement.graphql import EnforcementActionType, InspectionResultType
from enforcement.models import EnforcementAction, InspectionResult
from registry.graphql import statistics as stats

enforcement_action_statistics = stats.statistics_field(
    "EnforcementAction",
    EnforcementAction,
    EnforcementActionType,
    filters.EnforcementActionFilterSet,
    dimensions={
        "department": stats.department(),
        "year": stats.year("decision_date", "决定年份 (year of decision_date)"),
        "month": stats.month("decision_date", "决定月份 (month of decision_date, 1–12)"),
        "kind": stats.value("kind"),
        "severity": stats.value("severity", "失信程度；未填写为 null (null if not set)"),
        "party_kind": stats.value("party_kind"),
        "status": stats.value("status"),
    },
    measures={
        "fine_amount": stats.amount("fine_amount", "罚款金额（元） (fines, CNY)"),
        "confiscation_amount": stats.amount(
            "confiscation_amount", "没收金额（元） (confiscations, CNY)"
        ),
        "days_to_publication": stats.days_between(
            stats.local_date("published_at"),
            "decision_date",
            "决定至首次发布的天数（自然日） (calendar days from decision_date to the "
            "Asia/Shanghai date of published_at)",
        ),
    },
    description="执法决定统计 (statistics of enforcement decisions)",
)

inspection_result_statistics = stats.statistics_field(
    "InspectionResult",
    InspectionResult,
    InspectionResultType,
    filters.InspectionResultFilterSet,
    dimensions={
        "department": stats.department(),
        "year": stats.year("inspected_until", "检查结束年份 (year of inspected_until)"),
        "month": stats.month("inspected_until", "检查结束月份 (month of inspected_until)"),
        "outcome": stats.value("outcome"),
        "status": stats.value("status"),
    },
    measures={
        "days_to_publication": stats.days_between(
            stats.local_date("published_at"),
            "inspected_until",
            "检查结束至首次发布的天数（自然日） (calendar days)",
        ),
    },
    description="双随机抽查结果统计 (statistics of random-inspection results)",
)


class EnforcementStatisticsQuery(graphene.ObjectType):
    enforcement_action_statistics = enforcement_action_statistics
    inspection_result_statistics = inspection_result_statistics
