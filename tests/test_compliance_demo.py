"""The compliance report over the demo data: for every check, year and department, the
counts of the shortfalls equal the records the detail lists (two different queries of the
same rule), and a department's staff see exactly oversight's rows of their own departments."""

import pytest
from django.contrib.auth import get_user_model

from registry.compliance import deadlines, period, registration, report
from registry.compliance.scope import Narrowing, unrestricted
from registry.models import Department
from tests.world import demo_data_world

world = demo_data_world()
YEARS = (2024, 2025, 2026)


@pytest.fixture
def demo(world, db):
    return world


def listed_counts(check, counted):
    """``{(department code, measure): count}`` of the listed measures in a counts entry."""
    listed = {m["code"] for m in counted["measures"] if m["listed"]}
    return {
        (entry["department"], measure): value
        for entry in counted["departments"]
        for measure, value in entry["counts"].items()
        if measure in listed and value
    }


def detail_counts(rows):
    found = {}
    for row in rows:
        key = (row["department"], row["measure"])
        found[key] = found.get(key, 0) + 1
    return found


@pytest.mark.parametrize("year", YEARS)
def test_counts_match_the_detail(demo, year):
    today = period.year_period(2026).end  # the demo's own "now" does not matter: both agree
    oversight = Narrowing(get_user_model().objects.get(username="oversight"))
    chosen = period.year_period(year)
    counted = {entry["code"]: entry for entry in report.counts(chosen, today)}
    found = 0
    for check in registration.checks():
        count, rows = report.detail(check, chosen, today, oversight, limit=10**6)
        assert count == len(rows)
        assert detail_counts(rows) == listed_counts(check, counted[check.code]), check.code
        found += count
    if year == 2026:
        assert found, "the demo data has shortfalls in 2026"


def test_the_demo_shows_a_shortened_consultation_with_its_reason(demo):
    oversight = Narrowing(get_user_model().objects.get(username="oversight"))
    check = registration.check("consultation_shortened")
    rows = []
    for year in YEARS:
        rows += report.detail(
            check, period.year_period(year), period.year_period(2026).end, oversight
        )[1]
    assert rows and all(row["details"]["shortening_reason"].strip() for row in rows)
    assert all(row["details"]["calendar_days_short"] > 0 for row in rows)


@pytest.mark.parametrize("username", ["fgw_editor", "scjgj_publisher", "czj_editor"])
def test_staff_see_oversights_rows_of_their_departments(demo, username):
    user = get_user_model().objects.get(username=username)
    staff = Narrowing(user)
    own = {
        code
        for code in Department.objects.values_list("code", flat=True)
        if staff.scope.covers(Department.objects.get(code=code).pk)
    }
    assert own
    oversight = Narrowing(get_user_model().objects.get(username="oversight"))
    today = period.year_period(2026).end
    for year in YEARS:
        for check in registration.checks():
            chosen = period.year_period(year)
            everything = report.detail(check, chosen, today, oversight, limit=10**6)[1]
            theirs = report.detail(check, chosen, today, staff, limit=10**6)[1]
            assert theirs == [row for row in everything if row["department"] in own]
    all_items = deadlines.upcoming(today, 20, unrestricted).items
    their_items = deadlines.upcoming(today, 20, staff).items
    assert their_items == [item for item in all_items if item["department"] in own]


def test_the_demo_digest_reaches_the_demo_publishers(demo, mailoutbox, caplog):
    """The demo's publishers have (undeliverable) addresses, so the digest of the demo data
    is sent to them; a department with due items and no publisher is logged."""
    from django.utils import timezone

    from registry.compliance import digest

    today = timezone.localdate()
    due = deadlines.upcoming(today, deadlines.DEFAULT_WITHIN, unrestricted).by_department()
    with_publishers = {"fgw", "scjgj", "czj"} & due.keys()
    assert with_publishers  # the demo data has due items where the demo has publishers
    assert digest.send_digests(today) == len(mailoutbox) == len(with_publishers)
    assert sorted(to for message in mailoutbox for to in message.to) == sorted(
        f"{code}_publisher@demo.invalid" for code in with_publishers
    )
    unaddressed = due.keys() - with_publishers
    logged = [r.getMessage() for r in caplog.records if r.name == "registry.compliance.digest"]
    assert len(logged) == len(unaddressed)
    assert all(any(f" {code} has " in line for line in logged) for code in unaddressed)
