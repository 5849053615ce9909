"""The working-day calendar: Chinese public holidays and adjusted workdays (调休).

Days are counted from the day after the start (the way legal time limits run). A year without
official data (no :class:`~registry.models.CalendarYear` row) falls back to Monday–Friday and
every result that touched it is marked provisional.
"""

import datetime
from dataclasses import dataclass

from registry.choices import CalendarDayKind


@dataclass(frozen=True)
class CountedDate:
    """A date reached by counting, with the calendar versions it depends on."""

    date: datetime.date
    provisional: bool
    calendar_version: str  # e.g. "2026:v1" or "2026:v1,2027:weekdays"


class WorkingCalendar:
    """The calendar data of a span of years, loaded once (two queries) and then pure."""

    def __init__(self, years):
        from registry.models import CalendarDay, CalendarYear

        self.years = sorted(set(years))
        self._counts = None  # see _working_days_so_far
        self.official = dict(
            CalendarYear.objects.filter(year__in=self.years).values_list("year", "version")
        )
        self.exceptions = dict(
            CalendarDay.objects.filter(year__year__in=list(self.official)).values_list(
                "date", "kind"
            )
        )

    @classmethod
    def around(cls, start: datetime.date, span_days: int):
        """The calendar covering ``start`` and the ``span_days`` after it."""
        end = start + datetime.timedelta(days=span_days)
        return cls(range(start.year, end.year + 1))

    def is_working_day(self, day: datetime.date) -> bool:
        self._require(day.year)
        kind = self.exceptions.get(day)
        if kind == CalendarDayKind.HOLIDAY:
            return False
        if kind == CalendarDayKind.WORKDAY:
            return True
        return day.weekday() < 5

    def _require(self, year):
        if year not in self.years:
            raise ValueError(f"calendar for {year} not loaded")

    def version_of(self, years) -> tuple[str, bool]:
        parts, provisional = [], False
        for year in sorted(set(years)):
            if year in self.official:
                parts.append(f"{year}:v{self.official[year]}")
            else:
                parts.append(f"{year}:weekdays")
                provisional = True
        return ",".join(parts), provisional

    def add_working_days(self, start: datetime.date, n: int) -> CountedDate:
        day, counted = start, 0
        while counted < n:
            day += datetime.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        version, provisional = self.version_of(range(start.year, day.year + 1))
        return CountedDate(day, provisional, version)

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after ``start`` up to and including ``end`` (0 when ``end`` is not
        after ``start``). Every year from ``start``'s to ``end``'s must be loaded."""
        if end <= start:
            return 0
        for year in range(start.year, end.year + 1):
            self._require(year)
        counts = self._working_days_so_far()
        first = datetime.date(self.years[0], 1, 1).toordinal()
        return counts[end.toordinal() - first] - counts[start.toordinal() - first]

    def _working_days_so_far(self):
        """Working days from 1 January of the first loaded year up to and including each day
        to the end of the last (by the day's offset from that first day): a difference of
        two is the count between them, however far apart (reminders count thousands)."""
        if self._counts is None:
            day, last = datetime.date(self.years[0], 1, 1), datetime.date(self.years[-1], 12, 31)
            counts, total = [], 0
            while day <= last:
                if day.year in self.years and self.is_working_day(day):
                    total += 1
                counts.append(total)
                day += datetime.timedelta(days=1)
            self._counts = counts
        return self._counts


def _span(n):
    # Generous span: even the Spring Festival week cannot stretch n working days past this.
    return n * 2 + 30


def add_working_days(start: datetime.date, n: int) -> CountedDate:
    """``n`` working days after ``start`` (counting from the next day)."""
    return WorkingCalendar.around(start, _span(n)).add_working_days(start, n)


def add_calendar_days(start: datetime.date, n: int) -> CountedDate:
    """``n`` calendar days after ``start``: holidays do not matter, nothing is provisional."""
    return CountedDate(start + datetime.timedelta(days=n), False, "")


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    return WorkingCalendar(range(start.year, end.year + 1)).working_days_between(start, end)


def is_working_day(day: datetime.date) -> bool:
    return WorkingCalendar([day.year]).is_working_day(day)
