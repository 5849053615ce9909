import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

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
from fiscal.services.ratios import FORMULAS
from registry.api.serializers import (
    RECORD_FIELDS,
    PublicRecordSerializer,
    UnitsInDescriptionMixin,
    VisibleRelatedField,
)


class PerformanceTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = PerformanceTarget
        fields = ["id", "level", "kind", "indicator", "target_value", "unit"]
        read_only_fields = ["id", "level"]


class FundingLineSerializer(UnitsInDescriptionMixin, serializers.ModelSerializer):
    class Meta:
        model = FundingLine
        fields = ["id", "source", "amount"]
        read_only_fields = ["id"]


class InvestmentProjectSerializer(PublicRecordSerializer):
    targets = PerformanceTargetSerializer(many=True, read_only=True)
    funding = FundingLineSerializer(many=True, read_only=True)

    class Meta(PublicRecordSerializer.Meta):
        model = InvestmentProject
        fields = [
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
        ]
        read_only_fields = [
            *PublicRecordSerializer.Meta.read_only_fields,
            "disclosure_required",
            "disclosure_rule",
        ]


class UndisclosedSerializer(serializers.Serializer):
    department = serializers.CharField(source="department__code")
    department_name = serializers.CharField(source="department__name_zh")
    required = serializers.IntegerField(help_text=_("须公开的项目数"))
    undisclosed = serializers.IntegerField(help_text=_("须公开但尚未公开的项目数"))


class ProjectPartSerializer(PublicRecordSerializer):
    """Base of records about a project (the department follows the project)."""

    project = VisibleRelatedField(queryset=InvestmentProject.objects.all())

    class Meta(PublicRecordSerializer.Meta):
        fields = [*RECORD_FIELDS, "project"]


class ProjectProgressSerializer(ProjectPartSerializer):
    class Meta(ProjectPartSerializer.Meta):
        model = ProjectProgress
        fields = [*ProjectPartSerializer.Meta.fields, "progress_percent", "amount_spent"]


class SelfEvaluationSerializer(ProjectPartSerializer):
    class Meta(ProjectPartSerializer.Meta):
        model = SelfEvaluation
        fields = [*ProjectPartSerializer.Meta.fields, "evaluation_year", "score", "results"]


class DebtReportSerializer(PublicRecordSerializer):
    formula = serializers.SerializerMethodField()
    total_over_limit = serializers.BooleanField(read_only=True)

    class Meta(PublicRecordSerializer.Meta):
        model = DebtReport
        fields = [
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
            "formula",
            "general_over_limit",
            "special_over_limit",
            "total_over_limit",
        ]
        read_only_fields = [
            *PublicRecordSerializer.Meta.read_only_fields,
            "debt_ratio",
            "debt_service_ratio",
            "formula_version",
            "general_over_limit",
            "special_over_limit",
        ]

    def get_formula(self, report) -> dict[str, str]:
        formula = FORMULAS[report.formula_version]
        return {
            "debt_ratio": formula.debt_ratio,
            "debt_service_ratio": formula.debt_service_ratio,
            "basis": formula.basis,
        }


class TrendPointSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    reporting_point = serializers.CharField()
    value = serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True)


class BondProjectSerializer(UnitsInDescriptionMixin, serializers.ModelSerializer):
    project = VisibleRelatedField(queryset=InvestmentProject.objects.all())
    project_name = serializers.CharField(source="project.name", read_only=True)

    class Meta:
        model = BondProject
        fields = ["project", "project_name", "amount"]


class BondSerializer(PublicRecordSerializer):
    allocations = BondProjectSerializer(many=True, read_only=True)
    next_disclosure_due = serializers.SerializerMethodField()
    overdue_disclosure_years = serializers.SerializerMethodField()

    class Meta(PublicRecordSerializer.Meta):
        model = Bond
        fields = [
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
            "next_disclosure_due",
            "overdue_disclosure_years",
        ]

    def get_next_disclosure_due(self, bond) -> datetime.date | None:
        return bond.next_disclosure_due(timezone.localdate())

    def get_overdue_disclosure_years(self, bond) -> list[int]:
        """Years whose annual during-life disclosure (due 30 June) is not published."""
        published = {d.period_year for d in bond.published_annual_disclosures}
        return [y for y in bond.annual_disclosure_years(timezone.localdate()) if y not in published]


class BondDisclosureSerializer(PublicRecordSerializer):
    bond = VisibleRelatedField(queryset=Bond.objects.all())

    class Meta(PublicRecordSerializer.Meta):
        model = BondDisclosure
        fields = [*RECORD_FIELDS, "bond", "kind", "period_year", "amount"]
