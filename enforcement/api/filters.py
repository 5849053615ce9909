import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enforcement.choices import ActionKind, InspectionOutcome, PartyKind, PowerType
from enforcement.models import EnforcementAction
from registry.api.filters import BooleanFilter, RecordFilterSet


class EnforcementBodyFilterSet(RecordFilterSet):
    """Bodies filter like every record."""


class BodyPartFilterSet(RecordFilterSet):
    body = django_filters.NumberFilter(field_name="body_id", label=_("执法主体 id"))


class EnforcementPowerFilterSet(BodyPartFilterSet):
    power_type = django_filters.ChoiceFilter(choices=PowerType.choices, label=_("职权类型"))
    code = django_filters.CharFilter(label=_("职权编码"))


class EnforcementActionFilterSet(BodyPartFilterSet):
    kind = django_filters.MultipleChoiceFilter(choices=ActionKind.choices, label=_("决定类别"))
    party_kind = django_filters.ChoiceFilter(choices=PartyKind.choices, label=_("当事人类别"))
    power = django_filters.NumberFilter(field_name="power_id", label=_("执法职权 id"))
    decision_date_after = django_filters.DateFilter(
        field_name="decision_date", lookup_expr="gte", label=_("决定日期不早于")
    )
    decision_date_before = django_filters.DateFilter(
        field_name="decision_date", lookup_expr="lte", label=_("决定日期不晚于")
    )
    party_credit_code = django_filters.CharFilter(label=_("统一社会信用代码"))
    document_number = django_filters.CharFilter(label=_("决定文书号"))
    overdue = BooleanFilter(method="filter_overdue", label=_("逾期未公开"))
    provisional = BooleanFilter(field_name="publication_due_provisional", label=_("公开期限为暂定"))
    q = django_filters.CharFilter(method="filter_q", label=_("按文书号或单位名称检索"))

    def filter_overdue(self, queryset, name, value):
        late = EnforcementAction.overdue_q(timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_q(self, queryset, name, value):
        """Searches document numbers and the names of organisations only: a natural person's
        name is masked in public, so searching it would reveal who was penalised."""
        return queryset.filter(
            Q(document_number__icontains=value)
            | (Q(party_name__icontains=value) & ~Q(party_kind=PartyKind.NATURAL_PERSON))
        )


class InspectionPlanFilterSet(BodyPartFilterSet):
    year = django_filters.NumberFilter(label=_("年度"))


class InspectionResultFilterSet(BodyPartFilterSet):
    plan = django_filters.NumberFilter(field_name="plan_id", label=_("抽查计划 id"))
    outcome = django_filters.ChoiceFilter(choices=InspectionOutcome.choices, label=_("检查结果"))
