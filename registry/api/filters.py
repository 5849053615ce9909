"""Filtering shared by REST and GraphQL: django-filter filtersets, and a backend that refuses
query parameters it does not know (a typo must not silently return everything)."""

import datetime
import time

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.widgets import BooleanWidget
from rest_framework.exceptions import ValidationError

from registry.choices import RecordStatus
from registry.models import Department
from registry.permissions import member_scope

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


class DepartmentCodes:
    """The codes of the departments, as this process last read them (one query for all):
    read again when asked for a code not among them, when a minute has passed, and when a
    department is saved or deleted here (:meth:`forget`, a signal)."""

    LIFETIME = 60  # seconds

    def __init__(self):
        self._codes, self._read_at = frozenset(), None

    def __contains__(self, code):
        now = time.monotonic()
        fresh = self._read_at is not None and now - self._read_at < self.LIFETIME
        if not fresh or code not in self._codes:
            self._codes = frozenset(Department.objects.values_list("code", flat=True))
            self._read_at = now
        return code in self._codes

    def forget(self):
        self._read_at = None


DEPARTMENT_CODES = DepartmentCodes()
UNKNOWN_DEPARTMENT = _("没有代码为“%(code)s”的部门。")


def department_with_code(code):
    """The department with ``code``, or None: a code no department has (one holding NUL,
    which PostgreSQL cannot even compare, among them) is refused by ``DEPARTMENT_CODES``
    before any query asks for it. For views that take a department code by hand."""
    if code not in DEPARTMENT_CODES:
        return None
    return Department.objects.filter(code=code).first()


class DepartmentCodeField(forms.CharField):
    """A department's code; an unknown code is an error naming the parameter rather than
    an empty list."""

    default_error_messages = {"unknown": UNKNOWN_DEPARTMENT}

    def validate(self, value):
        super().validate(value)
        if value not in self.empty_values and value not in DEPARTMENT_CODES:
            raise DjangoValidationError(
                self.error_messages["unknown"], code="unknown", params={"code": value}
            )


class DepartmentFilter(django_filters.CharFilter):
    """Rows of the department with the given code (``field_name``: the department's id
    column), looked up in the same statement: an InitPlan, so PostgreSQL walks the
    (department, id) index instead of joining the departments and filtering the join."""

    field_class = DepartmentCodeField

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        department = Department.objects.filter(code=value).values("pk")[:1]
        return qs.filter(**{self.field_name: Subquery(department)})


def requested_departments(filterset_class, model, data, request):
    """The ids of the departments, among the request's reader's own
    (:func:`~registry.permissions.member_scope`), that a list's filters (``data``: name ->
    value) limit ``model``'s rows to along its permission path, or None: a hint for the
    permission path (:func:`registry.permissions.restrict`), which checks and applies it
    itself. REST lists and GraphQL connections both pass it."""
    code = data.get("department")
    department = filterset_class.base_filters.get("department") if filterset_class else None
    if not code or not isinstance(department, DepartmentFilter):
        return None
    if f"{model.permission_department_path}_id" != department.field_name:
        return None
    pk = member_scope(request).departments.get(code)
    return None if pk is None else [pk]


class InstantField(IsoDateTimeField):
    """An ISO 8601 date and time as its instant in UTC. ISO 8601 allows UTC offsets that
    PostgreSQL refuses (beyond ±15:59), so the offset is applied here; a time whose instant
    falls outside the years 1–9999 is invalid."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None or timezone.is_naive(value):
            return value
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError:
            raise DjangoValidationError(self.error_messages["invalid"], code="invalid") from None


class InstantFilter(django_filters.IsoDateTimeFilter):
    field_class = InstantField


class StrictBooleanWidget(BooleanWidget):
    """Passes a value it cannot read on to the field (django-filter's reads it as "no
    value", so the filter was silently left out)."""

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        return data.get(name) if value is None else value


class StrictBooleanField(forms.NullBooleanField):
    """``true``/``false`` (or ``1``/``0``); any other value is an error naming the
    parameter."""

    widget = StrictBooleanWidget
    default_error_messages = {
        "invalid_choice": forms.ChoiceField.default_error_messages["invalid_choice"]
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        result = super().to_python(value)
        if result is None:
            message = self.error_messages["invalid_choice"]
            raise DjangoValidationError(message, code="invalid_choice", params={"value": value})
        return result


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class DepartmentFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Department._meta.get_field("kind").choices)
    parent = DepartmentFilter(field_name="parent_id", label=_("上级单位代码"))

    class Meta:
        model = Department
        fields = ["kind", "parent"]


class RecordFilterSet(django_filters.FilterSet):
    """Filters every record resource has; registries extend it."""

    department = DepartmentFilter(field_name="department_id", label=_("部门代码"))
    status = django_filters.ChoiceFilter(choices=RecordStatus.choices, label=_("状态"))
    date_made_after = django_filters.DateFilter(
        field_name="date_made", lookup_expr="gte", label=_("成文日期不早于")
    )
    date_made_before = django_filters.DateFilter(
        field_name="date_made", lookup_expr="lte", label=_("成文日期不晚于")
    )
    index_number = django_filters.CharFilter(label=_("索引号"))
    updated_since = InstantFilter(
        field_name="updated_at", lookup_expr="gte", label=_("更新时间不早于（ISO 8601）")
    )
    updated_before = InstantFilter(
        field_name="updated_at", lookup_expr="lt", label=_("更新时间早于（ISO 8601）")
    )
