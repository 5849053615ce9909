"""Which investment projects must be disclosed (seed 一(四))."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from registry.choices import RecordStatus


def threshold_for(category, on_date):
    """The threshold row in force on ``on_date`` for ``category``."""
    from fiscal.models import DisclosureThreshold

    return (
        DisclosureThreshold.objects.filter(category=category, effective_from__lte=on_date)
        .order_by("-version")
        .first()
    )


def apply_threshold(project):
    if project.total_investment is None or not project.category or project.date_made is None:
        return
    rule = threshold_for(project.category, project.date_made)
    if rule is None:
        raise ValidationError({"category": _("没有适用于该日期的公开起点规则。")})
    project.disclosure_required = project.total_investment >= rule.minimum_amount
    project.disclosure_rule = f"thresholds@v{rule.version}:{rule.category}>={rule.minimum_amount}"


def undisclosed_by_department(queryset):
    """Counts of projects that must be disclosed and are not published, per department."""
    return (
        queryset.filter(disclosure_required=True)
        .values("department__code", "department__name_zh")
        .annotate(
            required=Count("id"),
            undisclosed=Count("id", filter=~Q(status=RecordStatus.PUBLISHED)),
        )
        .order_by("department__code")
    )
