"""Derived dates of enforcement records: the publication deadline (the strictest applicable
rule), the display period (公示截止期) from the versioned display rules, and the withdrawal
deadline. Computed from the rule tables, never typed in."""

import calendar as month_calendar
import contextlib
import contextvars
import datetime
import functools

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


class RuleTables:
    """The rule tables, each read once when first needed: the deadline rules, the display
    rules and the working-day calendar of the years the computed dates touch (read again
    only when a date falls outside them). A single record's dates use a fresh one; an
    import shares one across its rows (:func:`preloaded_rules`) and its computed deadlines
    too, as imported dates repeat."""

    def __init__(self):
        self._calendar, self._years = None, None
        self._computed = {}  # (rule code, start) -> Deadline

    @functools.cached_property
    def deadline_rules(self):
        from registry.models import DeadlineRule

        return {rule.code: rule for rule in DeadlineRule.objects.all()}

    @functools.cached_property
    def display_rules(self):
        from enforcement.models import DisplayRule

        return list(DisplayRule.objects.all())

    def calendar_for(self, start):
        """The working-day calendar covering ``start`` and the year after it (no rule runs
        longer)."""
        from registry.workdays import WorkingCalendar

        years = self._years
        if years is None or not years[0] <= start.year < years[-1]:
            first = start.year if years is None else min(years[0], start.year)
            last = start.year + 1 if years is None else max(years[-1], start.year + 1)
            self._years = range(first, last + 1)
            self._calendar = WorkingCalendar(self._years)
        return self._calendar

    def compute(self, code, start):
        key = (code, start)
        if key not in self._computed:
            rule = self.deadline_rules.get(code, code)  # an unknown code fails in compute()
            self._computed[key] = deadlines.compute(rule, start, self.calendar_for(start))
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
    """Within the block, computed dates share one :class:`RuleTables`."""
    token = _preloaded.set(RuleTables())
    try:
        yield
    finally:
        _preloaded.reset(token)


def rule_tables():
    """The import's shared rule tables, or fresh ones for a single record."""
    return _preloaded.get() or RuleTables()


def set_publication_due(record, rule_codes, start, tables=None):
    """Set ``publication_due`` to the strictest of the applicable rules, naming it."""
    tables = tables or rule_tables()
    binding = deadlines.strictest(tables.compute(code, start) for code in (*rule_codes, OGI_RULE))
    record.publication_due = binding.due
    record.publication_rule = f"{binding.rule_code}@v{binding.rule_version}"
    record.publication_due_provisional = binding.provisional
    if hasattr(record, "calendar_version"):
        record.calendar_version = binding.calendar_version
    return binding


def publication_rules(kind):
    return [SEVEN_DAY_RULE if kind in SEVEN_DAY_KINDS else TWENTY_DAY_RULE]


def display_period(action, tables=None):
    """(display_until, repair_possible_from, rule label) of a penalty, or Nones."""
    if action.kind != ActionKind.PENALTY or not action.penalty_types:
        return None, None, ""
    tables = tables or rule_tables()
    version = tables.display_version(action.decision_date)
    rules = tables.display_rules_for(version, action.severity, action.penalty_types)
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


def apply_computed_fields(action):
    """Compute every derived date of an enforcement decision (called from ``clean``)."""
    if action.decision_date is None or not action.kind:
        return
    tables = rule_tables()
    set_publication_due(action, publication_rules(action.kind), action.decision_date, tables)
    display_until, repair_from, rule = display_period(action, tables)
    repair = getattr(action, "credit_repair", None) if action.pk else None
    if repair is not None and display_until is not None:
        display_until = min(display_until, repair.decided_on)
    action.display_until, action.repair_possible_from, action.display_rule = (
        display_until,
        repair_from,
        rule,
    )
