"""Filtering shared by REST and GraphQL: django-filter filtersets, and a backend that refuses
query parameters it does not know (a typo must not silently return everything)."""

import django_filters
from django.db.models import Subquery
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from registry.choices import RecordStatus
from registry.models import Department

# Query parameters every list endpoint understands besides its filters.
RESERVED_PARAMETERS = {"cursor", "page_size", "format"}


class StrictFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(RESERVED_PARAMETERS)
        if filterset_class is not None:
            known |= set(filterset_class.base_filters)
            known |= {
                name
                for f in filterset_class.base_filters.values()
                for name in getattr(f.field_class, "suffixes", ())
            }
        known |= set(getattr(view, "extra_query_parameters", ()))
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise ValidationError(
                {
                    name: [
                        _("未知的查询参数。可用参数：%(known)s")
                        % {"known": ", ".join(sorted(known))}
                    ]
                    for name in unknown
                }
            )
        return super().filter_queryset(request, queryset, view)


class DepartmentFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Department._meta.get_field("kind").choices)
    parent = django_filters.CharFilter(field_name="parent__code", label=_("上级单位代码"))

    class Meta:
        model = Department
        fields = ["kind", "parent"]


class RecordFilterSet(django_filters.FilterSet):
    """Filters every record resource has; registries extend it."""

    department = django_filters.CharFilter(method="filter_department", label=_("部门代码"))
    status = django_filters.ChoiceFilter(choices=RecordStatus.choices, label=_("状态"))
    date_made_after = django_filters.DateFilter(
        field_name="date_made", lookup_expr="gte", label=_("成文日期不早于")
    )
    date_made_before = django_filters.DateFilter(
        field_name="date_made", lookup_expr="lte", label=_("成文日期不晚于")
    )
    index_number = django_filters.CharFilter(label=_("索引号"))
    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", label=_("更新时间不早于（ISO 8601）")
    )
    updated_before = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="lt", label=_("更新时间早于（ISO 8601）")
    )

    def filter_department(self, queryset, name, value):
        """By the department's id looked up once (an InitPlan), so PostgreSQL walks the
        (department, id) index instead of joining the departments and filtering the join."""
        department = Department.objects.filter(code=value).values("pk")[:1]
        return queryset.filter(department_id=Subquery(department))
