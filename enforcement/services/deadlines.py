"""Derived dates of enforcement records: the publication deadline (the strictest applicable
rule), the display period (公示截止期) from the versioned display rules, and the withdrawal
deadline. Computed from the rule tables, never typed in."""

import calendar as month_calendar
import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from enforcement.choices import SEVEN_DAY_KINDS, ActionKind
from registry import deadlines

SEVEN_DAY_RULE = "enforcement_publication_7wd"
TWENTY_DAY_RULE = "enforcement_publication_20wd"
WITHDRAWAL_RULE = "enforcement_withdrawal_3wd"
INSPECTION_RESULT_RULE = "inspection_result_20wd"
OGI_RULE = "ogi_proactive_disclosure"


def add_months(day, months):
    """``day`` plus ``months`` calendar months (the last day of the month when shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def set_publication_due(record, rule_codes, start, calendar=None):
    """Set ``publication_due`` to the strictest of the applicable rules, naming it."""
    computed = [deadlines.compute(code, start, calendar) for code in (*rule_codes, OGI_RULE)]
    binding = deadlines.strictest(computed)
    record.publication_due = binding.due
    record.publication_rule = f"{binding.rule_code}@v{binding.rule_version}"
    record.publication_due_provisional = binding.provisional
    if hasattr(record, "calendar_version"):
        record.calendar_version = binding.calendar_version
    return binding


def publication_rules(kind):
    return [SEVEN_DAY_RULE if kind in SEVEN_DAY_KINDS else TWENTY_DAY_RULE]


def display_period(action):
    """(display_until, repair_possible_from, rule label) of a penalty, or Nones."""
    from enforcement.models import DisplayRule

    if action.kind != ActionKind.PENALTY or not action.penalty_types:
        return None, None, ""
    version = (
        DisplayRule.objects.filter(effective_from__lte=action.decision_date)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    rules = list(
        DisplayRule.objects.filter(
            version=version, severity=action.severity, penalty_type__in=action.penalty_types
        )
    )
    missing = set(action.penalty_types) - {rule.penalty_type for rule in rules}
    if version is None or missing:
        raise ValidationError(
            {
                "penalty_types": _("公示期规则未覆盖：%(types)s（失信程度 %(severity)s）。")
                % {"types": "、".join(sorted(missing)) or "—", "severity": action.severity}
            }
        )
    longest = max(rules, key=lambda rule: rule.maximum_months)
    minimum = max(rule.minimum_months for rule in rules)
    return (
        add_months(action.decision_date, longest.maximum_months),
        add_months(action.decision_date, minimum),
        f"display_rules@v{version}:{longest.penalty_type}/{longest.severity}",
    )


def apply_computed_fields(action, calendar=None):
    """Compute every derived date of an enforcement decision (called from ``clean``)."""
    if action.decision_date is None or not action.kind:
        return
    set_publication_due(action, publication_rules(action.kind), action.decision_date, calendar)
    display_until, repair_from, rule = display_period(action)
    repair = getattr(action, "credit_repair", None) if action.pk else None
    if repair is not None and display_until is not None:
        display_until = min(display_until, repair.decided_on)
    action.display_until, action.repair_possible_from, action.display_rule = (
        display_until,
        repair_from,
        rule,
    )
