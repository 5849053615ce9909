import django_filters
from django.utils.translation import gettext_lazy as _

from decisions.choices import (
    CommentStatus,
    Confidentiality,
    DecisionCategory,
    DocumentKind,
    Stage,
)
from decisions.models import Comment, Consultation, Decision, DecisionDocument, LegalityReview
from decisions.models.decision import local_today
from registry.api.filters import BooleanFilter, RecordFilterSet


class CatalogueFilterSet(RecordFilterSet):
    year = django_filters.NumberFilter(label=_("年度"))


class DecisionFilterSet(RecordFilterSet):
    year = django_filters.NumberFilter(field_name="catalogue__year", label=_("目录年度"))
    category = django_filters.ChoiceFilter(choices=DecisionCategory.choices, label=_("决策类别"))
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices, label=_("决策阶段"))
    confidentiality = django_filters.ChoiceFilter(
        choices=Confidentiality.choices, label=_("保密等级")
    )
    public_interest_high = BooleanFilter(label=_("涉及重大公共利益"))
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("标题包含"))

    class Meta:
        model = Decision
        fields = []


class DecisionDocumentFilterSet(django_filters.FilterSet):
    decision = django_filters.NumberFilter(field_name="decision_id", label=_("决策 id"))
    kind = django_filters.ChoiceFilter(choices=DocumentKind.choices, label=_("材料类型"))

    class Meta:
        model = DecisionDocument
        fields = []


class DecisionPartFilterSet(RecordFilterSet):
    decision = django_filters.NumberFilter(field_name="decision_id", label=_("决策 id"))


class ConsultationFilterSet(DecisionPartFilterSet):
    open_on = django_filters.DateFilter(method="filter_open_on", label=_("在该日开放征求意见"))
    is_open = BooleanFilter(method="filter_is_open", label=_("当前开放征求意见"))
    shortened = BooleanFilter(method="filter_shortened", label=_("缩短了期限"))

    class Meta:
        model = Consultation
        fields = ["document_type"]

    def filter_open_on(self, queryset, name, value):
        return queryset.filter(opens_on__lte=value, closes_on__gte=value)

    def filter_is_open(self, queryset, name, value):
        today = local_today()
        open_q = {"opens_on__lte": today, "closes_on__gte": today, "status": "published"}
        return queryset.filter(**open_q) if value else queryset.exclude(**open_q)

    def filter_shortened(self, queryset, name, value):
        return (
            queryset.exclude(shortening_reason="")
            if value
            else queryset.filter(shortening_reason="")
        )


class CommentFilterSet(django_filters.FilterSet):
    consultation = django_filters.NumberFilter(field_name="consultation_id")
    status = django_filters.ChoiceFilter(choices=CommentStatus.choices)

    class Meta:
        model = Comment
        fields = []


class LegalityReviewFilterSet(django_filters.FilterSet):
    decision = django_filters.NumberFilter(field_name="decision_id")
    completed = BooleanFilter(field_name="completed_on", lookup_expr="isnull", exclude=True)

    class Meta:
        model = LegalityReview
        fields = ["result"]
