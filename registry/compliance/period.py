"""The period of a compliance report: a year, a month of a year, or a range of dates
(``year``, ``month``, ``from``, ``to`` query parameters). Bad values are errors naming the
parameter; without any of them the report covers the current year (Asia/Shanghai)."""

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

MIN_YEAR, MAX_YEAR = 2000, 2100
# A range may span at most this many days (about ten years).
MAX_RANGE_DAYS = 3660
PARAMETERS = ("year", "month", "from", "to")


class PeriodError(ValueError):
    """Invalid period parameters: ``errors`` maps each parameter to its messages."""

    def __init__(self, errors):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class Period:
    """A closed range of dates, ``start`` to ``end`` inclusive."""

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
    if "from" in given or "to" in given:
        for name in ("year", "month"):
            if name in given:
                errors[name] = [_("按日期范围（from、to）查询时不能同时指定 year 或 month。")]
        dates = {}
        for name in ("from", "to"):
            if name not in given:
                errors[name] = [_("from 和 to 须同时指定。")]
            elif (day := _date(given[name])) is None:
                errors[name] = [_("日期格式应为 YYYY-MM-DD。")]
            elif not MIN_YEAR <= day.year <= MAX_YEAR:
                errors[name] = [
                    _("日期须在 %(min)d 年至 %(max)d 年之间。") % {"min": MIN_YEAR, "max": MAX_YEAR}
                ]
            else:
                dates[name] = day
        if not errors and dates["to"] < dates["from"]:
            errors["to"] = [_("to 不能早于 from。")]
        if not errors and (dates["to"] - dates["from"]).days >= MAX_RANGE_DAYS:
            errors["to"] = [_("日期范围不能超过 %(days)d 天。") % {"days": MAX_RANGE_DAYS}]
        if errors:
            raise PeriodError(errors)
        return Period(dates["from"], dates["to"])
    year = today.year
    if "year" in given:
        year = _integer(given["year"], MIN_YEAR, MAX_YEAR)
        if year is None:
            errors["year"] = [
                _("year 必须是 %(min)d 至 %(max)d 之间的整数。")
                % {"min": MIN_YEAR, "max": MAX_YEAR}
            ]
    month = None
    if "month" in given:
        month = _integer(given["month"], 1, 12)
        if month is None:
            errors["month"] = [_("month 必须是 1 至 12 之间的整数。")]
        elif "year" not in given:
            errors["month"] = [_("指定 month 时须同时指定 year。")]
    if errors:
        raise PeriodError(errors)
    if month is None:
        return year_period(year)
    last = calendar.monthrange(year, month)[1]
    return Period(datetime.date(year, month, 1), datetime.date(year, month, last), year, month)
