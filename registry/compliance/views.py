"""``/api/v1/compliance/``: the counts of every compliance check per department (public),
one check's record-level detail and the reminders of open deadlines (authenticated, narrowed
by the one permission path)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from registry.api.filters import UNKNOWN_DEPARTMENT, department_with_code
from registry.compliance import deadlines, period, registration, report
from registry.compliance.scope import Narrowing
from registry.permissions import member_scope

DEFAULT_LIMIT = MAX_LIMIT = 1000
MAX_OFFSET = 10**9


def check_codes():
    """The codes of the registered checks (the URL map is loaded after every app's
    ``ready()``, so all of them)."""
    return [check.code for check in registration.checks()]


PERIOD_PARAMETERS = [
    OpenApiParameter(
        "year",
        {"type": "integer", "minimum": period.MIN_YEAR, "maximum": period.MAX_YEAR},
        description=_("年度；省略且未给出 from、to 时为本年度"),
    ),
    OpenApiParameter(
        "month",
        {"type": "integer", "minimum": 1, "maximum": 12},
        description=_("月份（未给出 year 时为本年度的该月）"),
    ),
    OpenApiParameter(
        "from",
        {"type": "string", "format": "date"},
        description=_("起始日期（含）；只给出 to 时为 to 当年1月1日"),
    ),
    OpenApiParameter(
        "to",
        {"type": "string", "format": "date"},
        description=_("截止日期（含）；只给出 from 时为 from 当年12月31日"),
    ),
]
DEPARTMENT_PARAMETER = OpenApiParameter("department", str, description=_("部门代码"))
PAGE_PARAMETERS = [
    OpenApiParameter(
        "offset",
        {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
        description=_("跳过的条数"),
    ),
    OpenApiParameter(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
        description=_("最多返回的条数，1 至 1000，默认 1000"),
    ),
]


class MeasureSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    listed = serializers.BooleanField(help_text=_("为 true 的计数项的记录见明细"))


class CheckSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    legal_basis = serializers.CharField()
    registry = serializers.CharField()
    period_applies_to = serializers.CharField(help_text=_("期间按记录的哪个日期计算"))
    measures = MeasureSerializer(many=True)


class DepartmentCountsSerializer(serializers.Serializer):
    department = serializers.CharField(help_text=_("部门代码"))
    name = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())


class CheckCountsSerializer(CheckSerializer):
    totals = serializers.DictField(child=serializers.IntegerField())
    departments = DepartmentCountsSerializer(many=True)


PeriodSerializer = inline_serializer(
    "CompliancePeriod",
    {
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "year": serializers.IntegerField(allow_null=True),
        "month": serializers.IntegerField(allow_null=True),
    },
)


class Parameters:
    """The query parameters of a compliance request, checked together: every error names
    its parameter."""

    def __init__(self, request, allowed):
        self.params = request.query_params
        self.errors = {
            name: [_("未知的查询参数。可用参数：%(known)s") % {"known": ", ".join(sorted(allowed))}]
            for name in sorted(set(self.params) - set(allowed))
        }

    def period(self, today):
        try:
            return period.parse(self.params, today)
        except period.PeriodError as error:
            self.errors.update(error.errors)
            return None

    def department(self):
        """The id of the department named by ``department``, or None."""
        code = self.params.get("department")
        if not code:
            return None
        department = department_with_code(code)
        if department is None:
            self.errors["department"] = [UNKNOWN_DEPARTMENT % {"code": code}]
            return None
        return department.pk

    def integer(self, name, default, low, high, message):
        value = self.params.get(name)
        if value in (None, ""):
            return default
        if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
            self.errors[name] = [message]
            return default
        return int(value)

    def page(self):
        offset = self.integer(
            "offset",
            0,
            0,
            MAX_OFFSET,
            _("offset 必须是 0 至 %(max)d 之间的整数。") % {"max": MAX_OFFSET},
        )
        limit = self.integer(
            "limit",
            DEFAULT_LIMIT,
            1,
            MAX_LIMIT,
            _("limit 必须是 1 至 %(max)d 之间的整数。") % {"max": MAX_LIMIT},
        )
        return offset, limit

    def check(self):
        if self.errors:
            raise ValidationError(self.errors)


class ComplianceView(APIView):
    """Counts per department of every compliance check for a period (public): records
    published on time, late and overdue now; consultations shortened; decisions deliberated
    without a lawful legality review; projects that must be disclosed and are not; bonds
    missing their annual disclosure; late withdrawals; withheld items past their
    re-assessment date. The records behind the shortfalls are at ``{check}/``."""

    permission_classes = []

    @extend_schema(
        parameters=[
            *PERIOD_PARAMETERS,
            DEPARTMENT_PARAMETER,
            OpenApiParameter(
                "check", str, enum=check_codes(), description=_("只返回该检查项（代码）")
            ),
        ],
        responses=inline_serializer(
            "ComplianceReport",
            {
                "as_of": serializers.DateField(),
                "period": PeriodSerializer,
                "department": serializers.CharField(allow_null=True),
                "checks": CheckCountsSerializer(many=True),
            },
        ),
        summary=_("合规统计（按部门计数，公开）"),
        operation_id="compliance_counts",
    )
    def get(self, request):
        today = timezone.localdate()
        params = Parameters(request, [*period.PARAMETERS, "department", "check"])
        chosen = params.period(today)
        department = params.department()
        code = request.query_params.get("check")
        if code and registration.check(code) is None:
            params.errors["check"] = [
                _("没有代码为“%(code)s”的检查项。可用：%(known)s")
                % {"code": code, "known": ", ".join(c.code for c in registration.checks())}
            ]
        params.check()
        checks = report.counts(chosen, today, department=department, codes={code} if code else None)
        return Response(
            {
                "as_of": today,
                "period": chosen.as_dict(),
                "department": request.query_params.get("department") or None,
                "checks": checks,
            }
        )


class ComplianceDetailView(APIView):
    """The records behind one check's shortfalls (which records, due when, done when, how
    many working days late), for oversight and for each department its own: what the
    permission path lets the reader see in full. Others get an empty list."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "code", str, OpenApiParameter.PATH, enum=check_codes(), description=_("检查项代码")
            ),
            *PERIOD_PARAMETERS,
            DEPARTMENT_PARAMETER,
            *PAGE_PARAMETERS,
        ],
        responses=inline_serializer(
            "ComplianceDetail",
            {
                "as_of": serializers.DateField(),
                "period": PeriodSerializer,
                "check": CheckSerializer(),
                "count": serializers.IntegerField(),
                "offset": serializers.IntegerField(),
                "limit": serializers.IntegerField(),
                "results": serializers.ListField(child=serializers.DictField()),
            },
        ),
        summary=_("合规检查明细（监督人员和本部门）"),
        operation_id="compliance_detail",
    )
    def get(self, request, code):
        check = registration.check(code)
        if check is None:
            raise NotFound(_("没有代码为“%(code)s”的检查项。") % {"code": code})
        today = timezone.localdate()
        params = Parameters(request, [*period.PARAMETERS, "department", "offset", "limit"])
        chosen = params.period(today)
        department = params.department()
        offset, limit = params.page()
        params.check()
        narrowing = Narrowing(request.user, member_scope(request))
        count, rows = report.detail(
            check, chosen, today, narrowing, department=department, offset=offset, limit=limit
        )
        return Response(
            {
                "as_of": today,
                "period": chosen.as_dict(),
                "check": report.check_header(check),
                "count": count,
                "offset": offset,
                "limit": limit,
                "results": rows,
            }
        )


class DeadlinesView(APIView):
    """Open deadlines due within ``within`` working days (overdue ones included, with a
    negative ``working_days_left``): oversight sees every department's, department staff
    their own departments'."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "within",
                {"type": "integer", "minimum": 0, "maximum": deadlines.MAX_WITHIN},
                description=_("未来多少个工作日内到期，0 至 60，默认 5"),
            ),
            DEPARTMENT_PARAMETER,
            *PAGE_PARAMETERS,
        ],
        responses=inline_serializer(
            "ComplianceDeadlines",
            {
                "today": serializers.DateField(),
                "within": serializers.IntegerField(),
                "until": serializers.DateField(),
                "count": serializers.IntegerField(),
                "offset": serializers.IntegerField(),
                "limit": serializers.IntegerField(),
                "results": serializers.ListField(child=serializers.DictField()),
            },
        ),
        summary=_("即将到期和已逾期的期限提醒"),
        operation_id="compliance_deadlines",
    )
    def get(self, request):
        today = timezone.localdate()
        params = Parameters(request, ["within", "department", "offset", "limit"])
        within = params.integer(
            "within",
            deadlines.DEFAULT_WITHIN,
            0,
            deadlines.MAX_WITHIN,
            _("within 必须是 0 至 %(max)d 之间的整数。") % {"max": deadlines.MAX_WITHIN},
        )
        department = params.department()
        offset, limit = params.page()
        params.check()
        narrowing = Narrowing(request.user, member_scope(request))
        reminders = deadlines.upcoming(today, within, narrowing, department)
        return Response(
            {
                "today": today,
                "within": within,
                "until": reminders.until,
                "count": len(reminders.items),
                "offset": offset,
                "limit": limit,
                "results": reminders.items[offset : offset + limit],
            }
        )
