"""GraphQL types of the fiscal and debt registry (same permission path and filtersets as
REST; money as decimal strings)."""

import graphene

from fiscal.api import filters, serializers
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
from registry.graphql.connections import RecordConnectionField
from registry.graphql.types import fields_from, node_type

InvestmentProjectType = node_type(
    InvestmentProject,
    fields_from(
        serializers.InvestmentProjectSerializer, "projectprogresss", "selfevaluations", "bonds"
    ),
    filters.InvestmentProjectFilterSet,
    renamed={"projectprogresss": "project_progress", "selfevaluations": "self_evaluations"},
)
PerformanceTargetType = node_type(
    PerformanceTarget, fields_from(serializers.PerformanceTargetSerializer, "project")
)
FundingLineType = node_type(FundingLine, fields_from(serializers.FundingLineSerializer, "project"))
ProjectProgressType = node_type(
    ProjectProgress,
    fields_from(serializers.ProjectProgressSerializer),
    filters.ProjectPartFilterSet,
)
SelfEvaluationType = node_type(
    SelfEvaluation,
    fields_from(serializers.SelfEvaluationSerializer),
    filters.ProjectPartFilterSet,
)
DebtReportType = node_type(
    DebtReport, fields_from(serializers.DebtReportSerializer), filters.DebtReportFilterSet
)
BondType = node_type(
    Bond, fields_from(serializers.BondSerializer, "disclosures"), filters.BondFilterSet
)
BondProjectType = node_type(BondProject, fields_from(serializers.BondProjectSerializer, "bond"))
BondDisclosureType = node_type(
    BondDisclosure,
    fields_from(serializers.BondDisclosureSerializer),
    filters.BondDisclosureFilterSet,
)


class FiscalQuery(graphene.ObjectType):
    investment_projects = RecordConnectionField(InvestmentProjectType)
    project_progress = RecordConnectionField(ProjectProgressType)
    self_evaluations = RecordConnectionField(SelfEvaluationType)
    debt_reports = RecordConnectionField(DebtReportType)
    bonds = RecordConnectionField(BondType)
    bond_disclosures = RecordConnectionField(BondDisclosureType)
