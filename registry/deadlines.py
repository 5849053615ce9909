"""The deadline engine: legal time limits from the :class:`~registry.models.DeadlineRule`
table, computed on the working-day calendar in Asia/Shanghai."""

import datetime
from dataclasses import dataclass

from registry.choices import DeadlineUnit
from registry.workdays import WorkingCalendar, add_calendar_days, add_working_days


@dataclass(frozen=True)
class Deadline:
    """A computed due date with everything needed to explain and reproduce it."""

    due: datetime.date
    rule_code: str
    rule_version: int
    legal_basis: str
    calendar_version: str
    provisional: bool

    def as_dict(self):
        return {
            "due": self.due.isoformat(),
            "rule": self.rule_code,
            "rule_version": self.rule_version,
            "legal_basis": self.legal_basis,
            "calendar_version": self.calendar_version,
            "provisional": self.provisional,
        }


def compute(rule, start: datetime.date, calendar: WorkingCalendar | None = None) -> Deadline:
    """The due date of ``rule`` (a DeadlineRule or its code) for an event on ``start``.

    Pass a preloaded ``calendar`` when computing many deadlines at once.
    """
    if isinstance(rule, str):
        from registry.models import DeadlineRule

        rule = DeadlineRule.objects.get(code=rule)
    if rule.unit == DeadlineUnit.WORKING_DAYS:
        if calendar is not None:
            counted = calendar.add_working_days(start, rule.amount)
        else:
            counted = add_working_days(start, rule.amount)
    else:
        counted = add_calendar_days(start, rule.amount)
    return Deadline(
        due=counted.date,
        rule_code=rule.code,
        rule_version=rule.version,
        legal_basis=rule.legal_basis,
        calendar_version=counted.calendar_version,
        provisional=counted.provisional,
    )


def strictest(deadlines):
    """The earliest of several applicable deadlines (the one that binds)."""
    return min(deadlines, key=lambda d: (d.due, d.rule_code))
