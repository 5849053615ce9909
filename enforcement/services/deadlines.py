"""Derived dates of enforcement records: the publication deadline (the strictest applicable
rule), the display period (公示截止期) from the versioned display rules, and the withdrawal
deadline. Computed from the rule tables, never typed in."""

import calendar as month_calendar
import contextlib
import contextvars
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
# The calendar read for a publication deadline covers this many days after the decision
# (the longest rule is 20 working days).
CALENDAR_SPAN_DAYS = 120


def add_months(day, months):
    """``day`` plus ``months`` calendar months (the last day of the month when shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


class RuleTables:
    """The rule tables read once, for computing the dates of many decisions (an import): the
    deadline rules, the display rules and the working-day calendar (read again only when a
    date falls outside the years read)."""

    def __init__(self):
        from django.utils import timezone

        from enforcement.models import DisplayRule
        from registry.models import DeadlineRule

        self._calendar, self._years = None, range(1990, timezone.localdate().year + 3)
        self.deadline_rules = {rule.code: rule for rule in DeadlineRule.objects.all()}
        self._computed = {}  # (rule code, start) -> Deadline: imported dates repeat
        self.display_rules = list(DisplayRule.objects.all())

    def calendar_for(self, start):
        """The working-day calendar covering ``start`` and the year after it."""
        from registry.workdays import WorkingCalendar

        years = self._years
        if self._calendar is None or not years[0] <= start.year < years[-1]:
            first, last = min(self._years[0], start.year), max(self._years[-1], start.year + 1)
            self._years = range(first, last + 1)
            self._calendar = WorkingCalendar(self._years)
        return self._calendar

    def compute(self, code, start):
        key = (code, start)
        if key not in self._computed:
            self._computed[key] = deadlines.compute(
                self.deadline_rules[code], start, self.calendar_for(start)
            )
        return self._computed[key]

    def display_version(self, day):
        versions = [r.version for r in self.display_rules if r.effective_from <= day]
        return max(versions, default=None)

    def display_rules_for(self, version, severity, penalty_types):
        return [
            rule
            for rule in self.display_rules
            if rule.version == version
            and rule.severity == severity
            and rule.penalty_type in penalty_types
        ]


_preloaded = contextvars.ContextVar("enforcement_rule_tables", default=None)


@contextlib.contextmanager
def preloaded_rules():
    """Within the block, computed dates use rule tables read once (see :class:`RuleTables`)."""
    token = _preloaded.set(RuleTables())
    try:
        yield
    finally:
        _preloaded.reset(token)


def set_publication_due(record, rule_codes, start, calendar=None):
    """Set ``publication_due`` to the strictest of the applicable rules, naming it."""
    tables = _preloaded.get()
    rules = [*rule_codes, OGI_RULE]
    if tables is not None and calendar is None:
        computed = [tables.compute(code, start) for code in rules]
    else:
        from registry.models import DeadlineRule
        from registry.workdays import WorkingCalendar

        # One read of the rules and of the calendar for all of them.
        found = {rule.code: rule for rule in DeadlineRule.objects.filter(code__in=rules)}
        calendar = calendar or WorkingCalendar.around(start, CALENDAR_SPAN_DAYS)
        computed = [deadlines.compute(found.get(code, code), start, calendar) for code in rules]
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
    tables = _preloaded.get()
    if tables is not None:
        version = tables.display_version(action.decision_date)
        rules = tables.display_rules_for(version, action.severity, action.penalty_types)
    else:
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
