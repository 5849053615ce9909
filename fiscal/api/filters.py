import django_filters
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fiscal.choices import BondPurpose, BondType, DisclosureKind, ProjectCategory, ReportingPoint
from fiscal.models import BondDisclosure
from fiscal.models.bonds import latest_passed_due_year
from registry.api.filters import BooleanFilter, RecordFilterSet
from registry.choices import RecordStatus


class InvestmentProjectFilterSet(RecordFilterSet):
    category = django_filters.ChoiceFilter(choices=ProjectCategory.choices, label=_("项目类别"))
    year = django_filters.NumberFilter(label=_("计划年度"))
    disclosure_required = BooleanFilter(label=_("须公开"))
    project_code = django_filters.CharFilter(label=_("项目代码"))
    min_investment = django_filters.NumberFilter(
        field_name="total_investment", lookup_expr="gte", label=_("总投资不少于（元）")
    )


class ProjectPartFilterSet(RecordFilterSet):
    project = django_filters.NumberFilter(field_name="project_id", label=_("项目 id"))


class DebtReportFilterSet(RecordFilterSet):
    year = django_filters.NumberFilter(label=_("年度"))
    reporting_point = django_filters.ChoiceFilter(
        choices=ReportingPoint.choices, label=_("报告节点")
    )
    over_limit = BooleanFilter(method="filter_over_limit", label=_("余额超限额"))

    def filter_over_limit(self, queryset, name, value):
        from django.db.models import Q

        over = Q(general_over_limit=True) | Q(special_over_limit=True)
        return queryset.filter(over) if value else queryset.exclude(over)


class BondFilterSet(RecordFilterSet):
    bond_type = django_filters.ChoiceFilter(choices=BondType.choices, label=_("债券类型"))
    purpose = django_filters.ChoiceFilter(choices=BondPurpose.choices, label=_("发行用途类别"))
    code = django_filters.CharFilter(label=_("债券代码"))
    disclosure_overdue = BooleanFilter(
        method="filter_disclosure_overdue", label=_("年度存续期信息逾期未公开")
    )

    def filter_disclosure_overdue(self, queryset, name, value):
        """Bonds whose annual disclosure for the latest year already due (30 June) is not
        published."""
        year = latest_passed_due_year(timezone.localdate())
        published = BondDisclosure.objects.filter(
            bond=OuterRef("pk"),
            kind=DisclosureKind.ANNUAL,
            period_year=year,
            status=RecordStatus.PUBLISHED,
        )
        due = queryset.filter(issue_date__year__lt=year, maturity_date__year__gte=year)
        overdue = due.exclude(Exists(published))
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class BondDisclosureFilterSet(RecordFilterSet):
    bond = django_filters.NumberFilter(field_name="bond_id", label=_("债券 id"))
    kind = django_filters.ChoiceFilter(choices=DisclosureKind.choices, label=_("公开类别"))
    period_year = django_filters.NumberFilter(label=_("所属年度"))
