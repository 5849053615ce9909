"""GraphQL types of the fiscal and debt registry (same permission path and filtersets as
REST; money as decimal strings)."""

import graphene
from graphene_django.filter import DjangoFilterConnectionField

from fiscal.api import filters
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
from registry.graphql.types import RECORD_FIELDS, node_type

InvestmentProjectType = node_type(
    InvestmentProject,
    (
        *RECORD_FIELDS,
        "project_code",
        "category",
        "year",
        "total_investment",
        "project_text",
        "disclosure_required",
        "disclosure_rule",
        "targets",
        "funding",
        "projectprogresss",
        "selfevaluations",
        "bonds",
    ),
    filters.InvestmentProjectFilterSet,
)
PerformanceTargetType = node_type(
    PerformanceTarget, ("project", "level", "kind", "indicator", "target_value", "unit")
)
FundingLineType = node_type(FundingLine, ("project", "source", "amount"))
ProjectProgressType = node_type(
    ProjectProgress,
    (*RECORD_FIELDS, "project", "progress_percent", "amount_spent"),
    filters.ProjectPartFilterSet,
)
SelfEvaluationType = node_type(
    SelfEvaluation,
    (*RECORD_FIELDS, "project", "evaluation_year", "score", "results"),
    filters.ProjectPartFilterSet,
)
DebtReportType = node_type(
    DebtReport,
    (
        *RECORD_FIELDS,
        "year",
        "reporting_point",
        "general_limit",
        "special_limit",
        "total_limit",
        "general_balance",
        "special_balance",
        "total_balance",
        "principal_repaid",
        "interest_repaid",
        "general_budget_revenue",
        "fund_budget_revenue",
        "state_capital_revenue",
        "transfer_revenue",
        "comprehensive_capacity",
        "debt_ratio",
        "debt_service_ratio",
        "formula_version",
        "general_over_limit",
        "special_over_limit",
    ),
    filters.DebtReportFilterSet,
)
BondType = node_type(
    Bond,
    (
        *RECORD_FIELDS,
        "code",
        "bond_type",
        "purpose",
        "amount",
        "term_years",
        "coupon_rate",
        "issue_date",
        "maturity_date",
        "interest_schedule",
        "use_of_proceeds",
        "allocations",
        "disclosures",
    ),
    filters.BondFilterSet,
)
BondProjectType = node_type(BondProject, ("bond", "project", "amount"))
BondDisclosureType = node_type(
    BondDisclosure,
    (*RECORD_FIELDS, "bond", "kind", "period_year", "amount"),
    filters.BondDisclosureFilterSet,
)


class FiscalQuery(graphene.ObjectType):
    investment_projects = DjangoFilterConnectionField(InvestmentProjectType)
    project_progress = DjangoFilterConnectionField(ProjectProgressType)
    self_evaluations = DjangoFilterConnectionField(SelfEvaluationType)
    debt_reports = DjangoFilterConnectionField(DebtReportType)
    bonds = DjangoFilterConnectionField(BondType)
    bond_disclosures = DjangoFilterConnectionField(BondDisclosureType)
