"""REST resources of the fiscal and debt registry."""

from django.db.models import F, Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from fiscal.api import filters, serializers
from fiscal.choices import DisclosureKind, ReportingPoint
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
from fiscal.services import parts, thresholds
from registry.api.viewsets import RecordViewSet
from registry.choices import Action, RecordStatus


class InvestmentProjectViewSet(RecordViewSet):
    """Government investment projects. ``disclosure_required`` follows the threshold table;
    ``undisclosed`` counts, per department, the projects that must be disclosed and are not."""

    model = InvestmentProject
    serializer_class = serializers.InvestmentProjectSerializer
    filterset_class = filters.InvestmentProjectFilterSet

    def base_queryset(self):
        return super().base_queryset().prefetch_related("targets", "funding")

    def _add(self, request, model_class, serializer_class):
        project = self.get_object()
        body = serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        part = parts.add_part(project, model_class, acting_user=request.user, **body.validated_data)
        return Response(serializer_class(part).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.PerformanceTargetSerializer,
        responses={201: serializers.PerformanceTargetSerializer},
        summary=_("添加绩效目标"),
    )
    @action(detail=True, methods=["post"])
    def targets(self, request, pk=None):
        return self._add(request, PerformanceTarget, serializers.PerformanceTargetSerializer)

    @extend_schema(
        request=serializers.FundingLineSerializer,
        responses={201: serializers.FundingLineSerializer},
        summary=_("添加资金来源"),
    )
    @action(detail=True, methods=["post"])
    def funding(self, request, pk=None):
        return self._add(request, FundingLine, serializers.FundingLineSerializer)

    @extend_schema(
        responses=serializers.UndisclosedSerializer(many=True),
        summary=_("须公开而未公开的项目数（按部门）"),
    )
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def undisclosed(self, request):
        """Counts are public; the projects themselves only to those who may see drafts."""
        rows = thresholds.undisclosed_by_department(InvestmentProject.objects.all())
        return Response(serializers.UndisclosedSerializer(rows, many=True).data)


class ProjectPartViewSet(RecordViewSet):
    filterset_class = filters.ProjectPartFilterSet


class ProjectProgressViewSet(ProjectPartViewSet):
    """Progress updates of investment projects."""

    model = ProjectProgress
    serializer_class = serializers.ProjectProgressSerializer


class SelfEvaluationViewSet(ProjectPartViewSet):
    """Year-end performance self-evaluations of investment projects."""

    model = SelfEvaluation
    serializer_class = serializers.SelfEvaluationSerializer


TREND_INDICATORS = [
    "general_limit",
    "special_limit",
    "total_limit",
    "general_balance",
    "special_balance",
    "total_balance",
    "principal_repaid",
    "interest_repaid",
    "comprehensive_capacity",
    "debt_ratio",
    "debt_service_ratio",
]


class DebtReportViewSet(RecordViewSet):
    """Government debt reports; ratios are derived with a versioned formula. ``trend`` gives
    one indicator by year for charts."""

    model = DebtReport
    serializer_class = serializers.DebtReportSerializer
    filterset_class = filters.DebtReportFilterSet

    @extend_schema(
        parameters=[
            OpenApiParameter("indicator", str, enum=TREND_INDICATORS, required=True),
            OpenApiParameter(
                "reporting_point",
                str,
                enum=ReportingPoint.values,
                description=_("默认 final_accounts（决算）"),
            ),
            OpenApiParameter("department", str, description=_("部门代码（默认全部公开报告）")),
        ],
        responses=serializers.TrendPointSerializer(many=True),
        summary=_("某项指标的年度趋势"),
    )
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def trend(self, request):
        params = request.query_params
        unknown = set(params) - {"indicator", "reporting_point", "department"}
        errors = {name: [_("未知的查询参数。")] for name in sorted(unknown)}
        indicator = params.get("indicator")
        if indicator not in TREND_INDICATORS:
            errors["indicator"] = [
                _("indicator 须为：%(choices)s") % {"choices": ", ".join(TREND_INDICATORS)}
            ]
        point = params.get("reporting_point", ReportingPoint.FINAL_ACCOUNTS)
        if point not in ReportingPoint.values:
            errors["reporting_point"] = [_("无效的报告节点。")]
        if errors:
            raise ValidationError(errors)
        # A public chart: published reports only, the same for every reader.
        reports = DebtReport.objects.public().filter(reporting_point=point)
        if params.get("department"):
            reports = reports.filter(department__code=params["department"])
        rows = reports.order_by("year").values("year", "reporting_point", value=F(indicator))
        return Response(serializers.TrendPointSerializer(rows, many=True).data)


class BondViewSet(RecordViewSet):
    """Local government bonds with their funded projects; the annual during-life disclosure
    (due 30 June) is tracked and overdue years are flagged."""

    model = Bond
    serializer_class = serializers.BondSerializer
    filterset_class = filters.BondFilterSet

    def base_queryset(self):
        annual = BondDisclosure.objects.filter(
            kind=DisclosureKind.ANNUAL, status=RecordStatus.PUBLISHED
        ).only("bond_id", "period_year")
        allocations = BondProject.objects.select_related("project").restrict(
            self.request.user, Action.VIEW
        )
        return (
            super()
            .base_queryset()
            .prefetch_related(
                Prefetch("disclosures", queryset=annual, to_attr="published_annual_disclosures"),
                Prefetch("allocations", queryset=allocations),
            )
        )

    @extend_schema(
        request=serializers.BondProjectSerializer,
        responses={201: serializers.BondProjectSerializer},
        summary=_("安排募投项目"),
    )
    @action(detail=True, methods=["post"])
    def projects(self, request, pk=None):
        bond = self.get_object()
        body = serializers.BondProjectSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        body.is_valid(raise_exception=True)
        allocation = parts.add_part(
            bond, BondProject, acting_user=request.user, **body.validated_data
        )
        return Response(
            serializers.BondProjectSerializer(allocation).data, status=status.HTTP_201_CREATED
        )


class BondDisclosureViewSet(RecordViewSet):
    """During-life disclosures of bonds."""

    model = BondDisclosure
    serializer_class = serializers.BondDisclosureSerializer
    filterset_class = filters.BondDisclosureFilterSet


RESOURCES = [
    ("investment-projects", InvestmentProjectViewSet),
    ("project-progress", ProjectProgressViewSet),
    ("self-evaluations", SelfEvaluationViewSet),
    ("debt-reports", DebtReportViewSet),
    ("bonds", BondViewSet),
    ("bond-disclosures", BondDisclosureViewSet),
]
