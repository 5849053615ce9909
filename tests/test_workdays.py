"""The working-day calendar and the deadline engine on the 2026 calendar."""

import datetime

import pytest

from registry import deadlines
from registry.models import CalendarDay, CalendarYear, DeadlineRule
from registry.workdays import add_working_days, is_working_day, working_days_between

pytestmark = pytest.mark.django_db
d = datetime.date


def test_national_day_example():
    # 10-01..10-07 are holidays, Saturday 10-10 is an adjusted workday.
    result = add_working_days(d(2026, 9, 30), 7)
    assert result.date == d(2026, 10, 15)
    assert not result.provisional
    assert result.calendar_version == "2026:v1"


def test_adjusted_workday_and_holiday():
    assert is_working_day(d(2026, 10, 10))  # Saturday, 调休上班
    assert not is_working_day(d(2026, 10, 5))  # Monday, National Day
    assert not is_working_day(d(2026, 10, 11))  # ordinary Sunday
    assert is_working_day(d(2026, 10, 12))


def test_counts_from_the_next_day():
    assert add_working_days(d(2026, 11, 2), 1).date == d(2026, 11, 3)  # Monday -> Tuesday
    assert add_working_days(d(2026, 11, 6), 1).date == d(2026, 11, 9)  # Friday -> Monday
    assert add_working_days(d(2026, 11, 7), 0).date == d(2026, 11, 7)


def test_spring_festival_2026():
    # 2026 Spring Festival: 02-15..02-23 off; Sat 02-14 and Sat 02-28 are workdays.
    assert add_working_days(d(2026, 2, 13), 1).date == d(2026, 2, 14)
    assert add_working_days(d(2026, 2, 14), 1).date == d(2026, 2, 24)


def test_year_without_official_data_is_provisional():
    result = add_working_days(d(2026, 12, 30), 7)
    assert result.provisional
    assert result.calendar_version == "2026:v1,2027:weekdays"
    # Weekdays only: 12-31, 01-01 (no 2027 data yet), 01-04 .. 01-08
    assert result.date == d(2027, 1, 8)


def test_adding_a_year_in_the_admin_makes_it_official():
    year = CalendarYear.objects.create(year=2027, source="国办发明电〔2026〕X号（测试）")
    CalendarDay.objects.create(year=year, date=d(2027, 1, 1), kind="holiday", name="元旦")
    result = add_working_days(d(2026, 12, 30), 7)
    assert not result.provisional
    assert result.date == d(2027, 1, 11)
    year.refresh_from_db()
    assert year.version == 2  # the added day bumped the version
    assert result.calendar_version == "2026:v1,2027:v2"


def test_working_days_between():
    assert working_days_between(d(2026, 9, 30), d(2026, 10, 15)) == 7


def test_working_days_between_is_a_count_of_the_days_after_start():
    """Counted from running totals (reminders count thousands of spans at once): the same
    as counting the days one by one, across years, for any pair of days."""
    import random

    from registry.workdays import WorkingCalendar

    calendar = WorkingCalendar(range(2024, 2028))
    first = d(2024, 1, 1)
    days = [first + datetime.timedelta(days=n) for n in range((d(2027, 12, 31) - first).days + 1)]
    generator = random.Random(8)
    for _ in range(300):
        start, end = generator.choice(days), generator.choice(days)
        by_day = sum(
            calendar.is_working_day(start + datetime.timedelta(days=n))
            for n in range(1, (end - start).days + 1)
        )
        assert calendar.working_days_between(start, end) == by_day, (start, end)
    assert calendar.working_days_between(d(2026, 10, 15), d(2026, 9, 30)) == 0
    assert calendar.working_days_between(d(2027, 12, 31), d(2027, 12, 31)) == 0
    with pytest.raises(ValueError):
        calendar.working_days_between(d(2026, 1, 1), d(2028, 1, 3))  # 2028 not loaded
    gap = WorkingCalendar([2025, 2027])
    assert gap.working_days_between(d(2027, 1, 4), d(2027, 1, 8)) == 4
    with pytest.raises(ValueError):
        gap.working_days_between(d(2025, 12, 1), d(2027, 1, 8))  # through 2026


def test_deadline_rule_carries_versions():
    deadline = deadlines.compute("ogi_proactive_disclosure", d(2026, 9, 30))
    assert deadline.rule_code == "ogi_proactive_disclosure"
    assert deadline.rule_version == 1
    assert "第二十六条" in deadline.legal_basis
    assert deadline.calendar_version == "2026:v1"
    assert deadline.due == add_working_days(d(2026, 9, 30), 20).date


def test_rule_version_grows_on_change_and_calendar_rules():
    rule = DeadlineRule.objects.create(
        code="test_period",
        name="征求意见期",
        legal_basis="第十五条",
        amount=30,
        unit="calendar_days",
        start_event="公布之日",
    )
    assert deadlines.compute(rule, d(2026, 9, 30)).due == d(2026, 10, 30)
    rule.name = "改名不改版本"
    rule.save()
    assert rule.version == 1
    rule.amount = 20
    rule.save()
    assert rule.version == 2


def test_strictest_is_earliest():
    early = deadlines.Deadline(d(2026, 10, 15), "a", 1, "", "", False)
    late = deadlines.Deadline(d(2026, 10, 30), "b", 1, "", "", False)
    assert deadlines.strictest([late, early]) is early
