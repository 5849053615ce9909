"""The period of a compliance report, from the ``year``, ``month``, ``from`` and ``to``
query parameters. Each narrows the period: ``year`` to a year, ``month`` to a month of it (of
the current year when ``year`` is not given), ``from`` and ``to`` to the dates from and to
(inclusive; ``to`` alone starts on 1 January of its year, ``from`` alone ends on 31 December
of its year). Given together, the period is what they have in common, possibly nothing (an
empty period counts nothing). Without any of them the report covers the current year
(Asia/Shanghai). A malformed or out-of-range value is an error naming the parameter."""

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MIN_YEAR, MAX_YEAR = 2000, 2100
PARAMETERS = ("year", "month", "from", "to")


class PeriodError(ValueError):
    """Invalid period parameters: ``errors`` maps each parameter to its messages."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class Period:
    """A closed range of dates, ``start`` to ``end`` inclusive (empty when ``end`` is
    before ``start``)."""

    start: datetime.date
    end: datetime.date
    year: int | None = None
    month: int | None = None

    def q(self, field):
        """Rows whose ``field`` (a date column or annotation) falls in the period."""
        return Q(**{f"{field}__gte": self.start, f"{field}__lte": self.end})

    def contains(self, day):
        return self.start <= day <= self.end

    def years(self):
        return range(self.start.year, self.end.year + 1)

    def as_dict(self):
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "year": self.year,
            "month": self.month,
        }


def year_period(year):
    return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), year)


def month_period(year, month):
    last = calendar.monthrange(year, month)[1]
    return Period(datetime.date(year, month, 1), datetime.date(year, month, last), year, month)


def _integer(value, low, high):
    value = value.strip()
    if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
        return None
    return int(value)


def _date(value):
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        return None


def parse(params, today):
    """The :class:`Period` that ``params`` (query parameters) ask for; raises
    :class:`PeriodError`."""
    errors = {}
    given = {name: params.get(name) for name in PARAMETERS if params.get(name) not in (None, "")}
    year = month = None
    if "year" in given:
        year = _integer(given["year"], MIN_YEAR, MAX_YEAR)
        if year is None:
            errors["year"] = [
                _("year 必须是 %(min)d 至 %(max)d 之间的整数。")
                % {"min": MIN_YEAR, "max": MAX_YEAR}
            ]
    if "month" in given:
        month = _integer(given["month"], 1, 12)
        if month is None:
            errors["month"] = [_("month 必须是 1 至 12 之间的整数。")]
    dates = {}
    for name in ("from", "to"):
        if name in given:
            dates[name] = _date(given[name])
            if dates[name] is None:
                errors[name] = [_("日期格式应为 YYYY-MM-DD。")]
    if errors:
        raise PeriodError(errors)
    if month is not None:
        chosen = month_period(year or today.year, month)
    elif year is not None or not dates:
        chosen = year_period(year or today.year)
    else:
        chosen = None
    start, end = dates.get("from"), dates.get("to")
    if chosen is None:
        start = start or datetime.date(end.year, 1, 1)
        end = end or datetime.date(start.year, 12, 31)
        return Period(start, end)
    return Period(
        max(chosen.start, start) if start else chosen.start,
        min(chosen.end, end) if end else chosen.end,
        chosen.year,
        chosen.month,
    )
