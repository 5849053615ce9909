"""REST resources of the enforcement-disclosure registry."""

import io

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from enforcement import export, redaction
from enforcement.api import filters, serializers
from enforcement.choices import ActionKind
from enforcement.models import (
    EnforcementAction,
    EnforcementBody,
    EnforcementOfficer,
    EnforcementPower,
    InspectionPlan,
    InspectionResult,
)
from enforcement.services import actions, imports, inspections
from registry.api.parsers import MultiPartParser
from registry.api.viewsets import RecordViewSet


class EnforcementBodyViewSet(RecordViewSet):
    """Enforcement bodies (执法主体) with their supervision channels."""

    model = EnforcementBody
    serializer_class = serializers.EnforcementBodySerializer


class BodyPartViewSet(RecordViewSet):
    filterset_class = filters.BodyPartFilterSet

    def base_queryset(self):
        return super().base_queryset().select_related("body")


class EnforcementPowerViewSet(BodyPartViewSet):
    """The powers list (权责清单)."""

    model = EnforcementPower
    serializer_class = serializers.EnforcementPowerSerializer
    filterset_class = filters.EnforcementPowerFilterSet


class EnforcementOfficerViewSet(BodyPartViewSet):
    """Enforcement officers with their certificate numbers."""

    model = EnforcementOfficer
    serializer_class = serializers.EnforcementOfficerSerializer


class EnforcementActionViewSet(BodyPartViewSet):
    """Enforcement decisions (执法决定). The public sees the redacted view; ``export`` gives
    penalties or licences in the 双公示 layout."""

    model = EnforcementAction
    serializer_class = serializers.EnforcementActionSerializer
    filterset_class = filters.EnforcementActionFilterSet

    @extend_schema(
        request=serializers.WithdrawActionSerializer,
        summary=_("撤回（决定被变更、撤销或确认违法后3个工作日内）"),
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        record = self.get_object()
        body = serializers.WithdrawActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(
            actions.withdraw_action(record, acting_user=request.user, **body.validated_data)
        )

    @extend_schema(request=serializers.CreditRepairSerializer, summary=_("登记信用修复"))
    @action(detail=True, methods=["post"])
    def repair(self, request, pk=None):
        record = self.get_object()
        body = serializers.CreditRepairSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        actions.repair_credit(record, acting_user=request.user, **body.validated_data)
        return self._respond(record)

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {"file": {"type": "string", "format": "binary"}},
                "required": ["file"],
            }
        },
        responses={201: serializers.ImportResultSerializer},
        summary=_("从 CSV 批量导入执法决定（草稿；全部有效才写入）"),
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="bulk-import",
        parser_classes=[MultiPartParser],
        pagination_class=None,
        filterset_class=None,
    )
    def bulk_import(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": [_("请以 file 字段上传 CSV 文件。")]})
        lines = io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline="")
        try:
            created = imports.import_actions(lines, acting_user=request.user)
        except imports.ImportRefused as refused:
            raise ValidationError(refused.errors) from None
        except UnicodeDecodeError:
            raise ValidationError({"file": [_("文件须为 UTF-8 编码的 CSV。")]}) from None
        body = {"created": len(created), "ids": created}
        return Response(serializers.ImportResultSerializer(body).data, status=201)

    @extend_schema(
        responses=serializers.RedactionRuleSerializer(many=True),
        summary=_("公开文本的隐私处理规则及其法律依据"),
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="redaction-policy",
        pagination_class=None,
        filterset_class=None,
    )
    def redaction_policy(self, request):
        return Response(serializers.RedactionRuleSerializer(redaction.POLICY, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "kind",
                str,
                enum=["penalty", "licence"],
                required=True,
                description=_("penalty（行政处罚）或 licence（行政许可）"),
            )
        ],
        responses={(200, "text/csv"): OpenApiTypes.STR},
        summary=_("按双公示数据标准导出 CSV（金额单位：万元）"),
    )
    @action(detail=False, methods=["get"], pagination_class=None, filterset_class=None)
    def export(self, request):
        kind = request.query_params.get("kind")
        if kind not in export.LAYOUTS:
            raise ValidationError({"kind": [_("kind 须为 penalty 或 licence。")]})
        unknown = set(request.query_params) - {"kind"}
        if unknown:
            raise ValidationError({name: [_("未知的查询参数。")] for name in sorted(unknown)})
        # The standard layout is a public format: public records only, redacted, whoever asks.
        public = EnforcementAction.objects.public()
        response = StreamingHttpResponse(
            export.rows(public, ActionKind(kind)), content_type="text/csv; charset=utf-8"
        )
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = (
            f'attachment; filename="shuang-gongshi-{kind}-{stamp}.csv"'
        )
        return response


class InspectionPlanViewSet(BodyPartViewSet):
    """Random-inspection plans (双随机、一公开) with a reproducible draw."""

    model = InspectionPlan
    serializer_class = serializers.InspectionPlanSerializer
    filterset_class = filters.InspectionPlanFilterSet

    @extend_schema(request=None, summary=_("抽取检查对象和执法人员"))
    @action(detail=True, methods=["post"])
    def draw(self, request, pk=None):
        return self._respond(inspections.draw(self.get_object(), acting_user=request.user))

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, summary=_("用公布的种子复核抽取结果"))
    @action(detail=True, methods=["get"], filterset_class=None)
    def verify(self, request, pk=None):
        plan = self.get_object()
        return Response(
            {
                "algorithm": plan.draw_algorithm,
                "seed": plan.draw_seed,
                "reproduced": inspections.verify(plan),
            }
        )


class InspectionResultViewSet(BodyPartViewSet):
    """Results of random inspections, due within 20 working days of the inspection's end."""

    model = InspectionResult
    serializer_class = serializers.InspectionResultSerializer
    filterset_class = filters.InspectionResultFilterSet


RESOURCES = [
    ("enforcement-bodies", EnforcementBodyViewSet),
    ("enforcement-powers", EnforcementPowerViewSet),
    ("enforcement-officers", EnforcementOfficerViewSet),
    ("enforcement-actions", EnforcementActionViewSet),
    ("inspection-plans", InspectionPlanViewSet),
    ("inspection-results", InspectionResultViewSet),
]
