"""The registry's computed fields evaluated in bulk: the rule tables are read once, the
working-day calendar preloaded, and every result cached by its inputs, so a million rows get
the same values ``clean()`` would compute, without a query each."""

import datetime
from decimal import Decimal

from enforcement.services.deadlines import OGI_RULE, SEVEN_DAY_RULE, add_months
from registry import deadlines
from registry.workdays import WorkingCalendar

CONSULTATION_RULES = {
    "major_decision": "consultation_min_major_decision",
    "normative_document": "consultation_min_normative_document",
}
LEGALITY_RULE = "legality_review_min"


class Rules:
    def __init__(self, first_year, last_year):
        from enforcement.models import DisplayRule
        from fiscal.models import DisclosureThreshold
        from registry.models import DeadlineRule

        self.calendar = WorkingCalendar(range(first_year - 1, last_year + 3))
        self.deadline_rules = {rule.code: rule for rule in DeadlineRule.objects.all()}
        self.display_rules = {}
        self.display_versions = []  # (effective_from, version), newest first
        for rule in DisplayRule.objects.order_by("-version", "penalty_type", "severity"):
            self.display_rules.setdefault((rule.version, rule.severity), []).append(rule)
            if (rule.effective_from, rule.version) not in self.display_versions:
                self.display_versions.append((rule.effective_from, rule.version))
        self.thresholds = list(DisclosureThreshold.objects.order_by("-version"))
        self._cache = {}

    def _compute(self, code, start):
        key = (code, start)
        if key not in self._cache:
            self._cache[key] = deadlines.compute(self.deadline_rules[code], start, self.calendar)
        return self._cache[key]

    def publication_due(self, decision_date):
        """(due, rule label, provisional, calendar version) of a penalty or licence
        decision: the strictest of the 7-working-day rule and the OGI rule."""
        key = ("publication", decision_date)
        if key not in self._cache:
            binding = deadlines.strictest(
                [self._compute(code, decision_date) for code in (SEVEN_DAY_RULE, OGI_RULE)]
            )
            self._cache[key] = (
                binding.due,
                f"{binding.rule_code}@v{binding.rule_version}",
                binding.provisional,
                binding.calendar_version,
            )
        return self._cache[key]

    def display_period(self, decision_date, severity, penalty_types):
        """(display_until, repair_possible_from, display rule label) of a penalty, as
        :func:`enforcement.services.deadlines.display_period` computes them."""
        version = next(v for start, v in self.display_versions if start <= decision_date)
        key = ("display", version, severity, tuple(penalty_types))
        if key not in self._cache:
            rules = [
                r
                for r in self.display_rules[(version, severity)]
                if r.penalty_type in penalty_types
            ]
            longest = max(rules, key=lambda rule: rule.maximum_months)
            self._cache[key] = (
                longest.maximum_months,
                max(rule.minimum_months for rule in rules),
                f"display_rules@v{version}:{longest.penalty_type}/{longest.severity}",
            )
        maximum, minimum, label = self._cache[key]
        return add_months(decision_date, maximum), add_months(decision_date, minimum), label

    def working_days_after(self, start, n):
        key = ("working", start, n)
        if key not in self._cache:
            self._cache[key] = self.calendar.add_working_days(start, n).date
        return self._cache[key]

    def consultation_minimum(self, document_type, opens_on):
        """(minimum closes_on, rule label) of a consultation period."""
        deadline = self._compute(CONSULTATION_RULES[document_type], opens_on)
        return deadline.due, f"{deadline.rule_code}@v{deadline.rule_version}"

    def legality_minimum(self, started_on):
        return self._compute(LEGALITY_RULE, started_on).due

    def working_days_between(self, start, end):
        return self.calendar.working_days_between(start, end)

    def is_working_day(self, day):
        return self.calendar.is_working_day(day)

    def threshold(self, category, on_date):
        """(disclosure required from, rule label) of an investment project."""
        rule = next(
            t for t in self.thresholds if t.category == category and t.effective_from <= on_date
        )
        return rule.minimum_amount, (
            f"thresholds@v{rule.version}:{rule.category}>={rule.minimum_amount}"
        )


def split_counts(total, weights):
    """``total`` split in proportion to ``weights`` (largest remainders; sums exactly)."""
    weight_sum = sum(weights)
    exact = [total * w / weight_sum for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def daily_counts(total, first, last, rules, growth=1.25):
    """``total`` spread over the days ``first``..``last``: more on working days, and growing
    by ``growth`` a year (registries fill up as departments digitise)."""
    days, weights = [], []
    day = first
    while day <= last:
        years = (day - first).days / 365.25
        weights.append(growth**years * (1.0 if rules.is_working_day(day) else 0.08))
        days.append(day)
        day += datetime.timedelta(days=1)
    return list(zip(days, split_counts(total, weights), strict=True))


def yuan(value):
    """A float amount as a Decimal of whole yuan (with fen)."""
    return Decimal(int(value)).quantize(Decimal("0.01"))
