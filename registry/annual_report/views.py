"""``GET /api/v1/annual-report/?department=CODE&year=YYYY&format=json|csv|xlsx``: the
statistics tables of a department's annual disclosure report. Public: the tables count only
what the public may see, so every reader gets the same figures."""

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from registry.annual_report import report
from registry.annual_report.choices import ReportFormat
from registry.api.filters import UNKNOWN_DEPARTMENT, department_with_code
from registry.exports import writers

# The years a report may be asked for (as the compliance report's): a year without public
# records, a future one included, gives tables of zeros.
FIRST_YEAR, LAST_YEAR = 2000, 2100
PARAMETERS = ("department", "year", "format")


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField(help_text=_("count（件数）或 amount（金额，元，十进制字符串）"))


class TableSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    row_heading = serializers.CharField()
    columns = ColumnSerializer(many=True)
    rows = serializers.ListField(
        child=serializers.DictField(),
        help_text=_("每行含 key（代码）、label（名称）和每列的数值（以列的 key 为键）"),
    )


class DepartmentRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class AnnualReportSerializer(serializers.Serializer):
    department = DepartmentRefSerializer()
    year = serializers.IntegerField()
    generated_at = serializers.DateTimeField()
    tables = TableSerializer(many=True)


def parse_parameters(params):
    """``(department, year, format)`` from the query string, or a 400 naming each bad
    parameter."""
    errors = {name: [_("未知的查询参数。")] for name in sorted(set(params) - set(PARAMETERS))}
    department = None
    code = params.get("department", "")
    if not code:
        errors["department"] = [_("请指定部门代码（department）。")]
    else:
        department = department_with_code(code)
        if department is None:
            errors["department"] = [UNKNOWN_DEPARTMENT % {"code": code}]
    year = params.get("year", "")
    if not (year.isascii() and year.isdigit() and FIRST_YEAR <= int(year) <= LAST_YEAR):
        errors["year"] = [
            _("year 须为 %(first)s 至 %(last)s 之间的年份。")
            % {"first": FIRST_YEAR, "last": LAST_YEAR}
        ]
    chosen = params.get("format", ReportFormat.JSON)
    if chosen not in ReportFormat.values:
        errors["format"] = [
            _("不支持的格式。可用格式：%(formats)s") % {"formats": ", ".join(ReportFormat.values)}
        ]
    if errors:
        raise ValidationError(errors)
    return department, int(year), chosen


def _download(body, content_type, name):
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class AnnualReportView(APIView):
    """The statistics tables of the annual government-information disclosure report
    (政府信息公开工作年度报告) of one department and year, computed from the registry:
    proactive disclosures by category, major decisions and consultations, enforcement
    decisions by kind, withdrawals. Only public records count."""

    @extend_schema(
        tags=["annual-report"],
        summary=_("政府信息公开工作年度报告统计表"),
        parameters=[
            OpenApiParameter("department", str, required=True, description=_("部门代码")),
            OpenApiParameter(
                "year",
                {"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR},
                required=True,
                description=_("年度"),
            ),
            OpenApiParameter(
                "format",
                str,
                enum=ReportFormat.values,
                description=_("json（默认）、csv（每个数值一行）或 xlsx（每张表一个工作表）"),
            ),
        ],
        responses={
            200: AnnualReportSerializer,
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, writers.CONTENT_TYPES["xlsx"]): OpenApiResponse(OpenApiTypes.BINARY),
        },
    )
    def get(self, request):
        department, year, chosen = parse_parameters(request.query_params)
        built = report.build(department, year)
        if chosen == ReportFormat.CSV:
            body = b"".join(
                writers.encoder("csv")(list(report.LONG_COLUMNS), report.long_rows(built))
            )
            return _download(body, writers.CONTENT_TYPES["csv"], report.file_name(built, "csv"))
        if chosen == ReportFormat.XLSX:
            body = writers.workbook(report.sheets(built))
            return _download(body, writers.CONTENT_TYPES["xlsx"], report.file_name(built, "xlsx"))
        return Response(AnnualReportSerializer(built).data)
