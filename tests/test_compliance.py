"""Compliance analytics (``/api/v1/compliance/``): every check's counts per department
against records of known lateness on the 2026 calendar (tests/compliance_world.py), the
record-level detail as each role sees it, bad parameters, and the queries each costs."""

import datetime

import chinese_calendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from registry.compliance import period, registration, report
from registry.compliance.scope import Narrowing
from tests import compliance_world as cw
from tests.world import api_client, module_world

D = datetime.date
URL = "/api/v1/compliance/"

world = module_world(cw.build)


@pytest.fixture
def w(world, db, monkeypatch):
    """The world, read on TODAY (Tuesday 20 October 2026, 10:00 in Shanghai)."""
    monkeypatch.setattr(timezone, "now", lambda: cw.instant(cw.TODAY))
    return world


def client(w, role):
    return api_client(w.tokens.get(role))


def counts_of(body):
    """``{check: {department: counts}}`` of a counts response."""
    return {
        check["code"]: {entry["department"]: entry["counts"] for entry in check["departments"]}
        for check in body["checks"]
    }


def workdays_between(first, last):
    """Working days after ``first`` up to ``last`` by the chinesecalendar package itself
    (not the registry's calendar)."""
    return len(chinese_calendar.get_workdays(first + datetime.timedelta(days=1), last))


EXPECTED_2026 = {
    "enforcement_action_publication": {
        "fgw": {"on_time": 3, "late": 1, "overdue": 1, "not_yet_due": 1},
        "scjgj": {"on_time": 0, "late": 1, "overdue": 0, "not_yet_due": 0},
    },
    "inspection_result_publication": {
        "fgw": {"on_time": 0, "late": 0, "overdue": 1, "not_yet_due": 0}
    },
    "enforcement_withdrawal": {"fgw": {"on_time": 1, "late": 1}},
    "enforcement_withheld_reassessment": {},
    "consultation_shortened": {"fgw": {"opened": 2, "shortened": 1, "without_reason": 0}},
    "deliberation_without_legality_review": {"fgw": {"deliberated": 3, "without_lawful_review": 2}},
    "decisions_withheld_reassessment": {
        "fgw": {"withheld": 3, "past_reassessment": 1, "no_reassessment_date": 1}
    },
    "investment_project_disclosure": {"fgw": {"required": 2, "undisclosed": 1}},
    "bond_annual_disclosure": {"fgw": {"on_time": 0, "late": 1, "missing": 1}},
    "fiscal_withheld_reassessment": {},
}


def test_every_registry_registers_its_checks():
    assert {c.code for c in registration.checks()} == set(EXPECTED_2026)
    for check in registration.checks():
        assert check.label and check.legal_basis and check.period_label and check.measures


def test_counts_of_2026_are_public(w):
    body = client(w, "anonymous").get(URL, {"year": 2026})
    assert body.status_code == 200, body.content
    data = body.json()
    assert data["as_of"] == "2026-10-20"
    assert data["period"] == {"from": "2026-01-01", "to": "2026-12-31", "year": 2026, "month": None}
    assert counts_of(data) == EXPECTED_2026
    publication = next(c for c in data["checks"] if c["code"] == "enforcement_action_publication")
    assert publication["totals"] == {"on_time": 3, "late": 2, "overdue": 1, "not_yet_due": 1}
    assert [m["code"] for m in publication["measures"] if m["listed"]] == ["late", "overdue"]
    assert publication["departments"][0]["name"] == "区发展改革委"
    # The same counts for everyone, whatever they may read of the records.
    for role in ("other_editor", "editor", "oversight", "legality_reviewer"):
        assert counts_of(client(w, role).get(URL, {"year": 2026}).json()) == EXPECTED_2026
    # Without a period: the current year.
    assert counts_of(client(w, "anonymous").get(URL).json()) == EXPECTED_2026


def test_a_month_counts_what_happened_in_it(w):
    data = counts_of(client(w, "anonymous").get(URL, {"year": 2026, "month": 9}).json())
    # Decided in September: 1 and 29 September (on time ×3, late, overdue), not 16 October.
    assert data["enforcement_action_publication"]["fgw"] == {
        "on_time": 3,
        "late": 1,
        "overdue": 1,
        "not_yet_due": 0,
    }
    assert data["enforcement_withdrawal"] == {"fgw": {"on_time": 0, "late": 1}}
    assert data["deliberation_without_legality_review"] == {
        "fgw": {"deliberated": 2, "without_lawful_review": 1}
    }
    assert data["bond_annual_disclosure"] == {}  # 30 June is not in September
    october = counts_of(client(w, "anonymous").get(URL, {"year": 2026, "month": 10}).json())
    assert october["enforcement_action_publication"] == {
        "fgw": {"on_time": 0, "late": 0, "overdue": 0, "not_yet_due": 1}
    }


def test_an_empty_period_counts_nothing(w):
    body = client(w, "anonymous").get(URL, {"year": 2026, "from": "2027-01-01"})
    assert body.status_code == 200, body.content
    assert all(check["departments"] == [] for check in body.json()["checks"])
    rows = detail(w, "oversight", "enforcement_action_publication", **{"from": "2027-01-01"})
    assert (rows["count"], rows["results"]) == (0, [])


def test_a_date_range_and_a_department(w):
    data = counts_of(
        client(w, "anonymous").get(URL, {"from": "2025-01-01", "to": "2026-12-31"}).json()
    )
    # 2025: the 2024 bond disclosed on 20 June; 2026: one late, one missing.
    assert data["bond_annual_disclosure"] == {"fgw": {"on_time": 1, "late": 1, "missing": 1}}
    day = client(w, "anonymous").get(URL, {"from": "2026-09-29", "to": "2026-09-29"}).json()
    assert counts_of(day)["enforcement_action_publication"] == {
        "fgw": {"on_time": 1, "late": 1, "overdue": 1, "not_yet_due": 0},
        "scjgj": {"on_time": 0, "late": 1, "overdue": 0, "not_yet_due": 0},
    }
    own = client(w, "anonymous").get(URL, {"year": 2026, "department": "scjgj"}).json()
    assert own["department"] == "scjgj"
    assert counts_of(own)["enforcement_action_publication"] == {
        "scjgj": {"on_time": 0, "late": 1, "overdue": 0, "not_yet_due": 0}
    }
    assert counts_of(own)["consultation_shortened"] == {}
    one = client(w, "anonymous").get(URL, {"year": 2026, "check": "enforcement_withdrawal"})
    assert [c["code"] for c in one.json()["checks"]] == ["enforcement_withdrawal"]


def detail(w, role, code, **params):
    response = client(w, role).get(f"{URL}{code}/", {"year": 2026, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_publication_detail_says_how_late(w):
    data = detail(w, "oversight", "enforcement_action_publication")
    assert data["count"] == 3
    rows = {row["id"]: row for row in data["results"]}
    late, overdue, other = rows[w.late.pk], rows[w.overdue.pk], rows[w.other_late.pk]
    assert (late["measure"], late["due"], late["done"], late["working_days_late"]) == (
        "late",
        "2026-10-14",
        "2026-10-16",
        2,
    )
    assert (overdue["measure"], overdue["done"], overdue["working_days_late"]) == (
        "overdue",
        None,
        4,  # 15, 16, 19, 20 October
    )
    assert overdue["due"] == cw.DUE_AFTER_29_SEPTEMBER.isoformat()
    assert (other["department"], other["working_days_late"], other["done"]) == (
        "scjgj",
        1,
        "2026-10-15",
    )
    assert late["resource"] == "enforcement-actions"
    assert late["index_number"] == w.late.index_number
    assert late["details"]["rule"].startswith("enforcement_publication_7wd@v")
    inspection = detail(w, "oversight", "inspection_result_publication")["results"]
    assert [(r["id"], r["measure"], r["due"], r["working_days_late"]) for r in inspection] == [
        (w.inspection.pk, "overdue", cw.INSPECTION_DUE.isoformat(), 4)
    ]


def test_withdrawal_detail(w):
    rows = detail(w, "oversight", "enforcement_withdrawal")["results"]
    assert [(r["id"], r["due"], r["done"], r["working_days_late"]) for r in rows] == [
        (w.withdrawn_late.pk, cw.WITHDRAWAL_DUE_AFTER_30_SEPTEMBER.isoformat(), "2026-10-12", 1)
    ]
    assert rows[0]["details"] == {"trigger": "revoked", "trigger_date": "2026-09-30"}


def test_decision_details(w):
    shortened = detail(w, "oversight", "consultation_shortened")["results"]
    assert len(shortened) == 1
    assert shortened[0]["id"] == w.shortened.pk
    assert shortened[0]["details"] == {
        "document_type": "major_decision",
        "opens_on": "2026-09-01",
        "closes_on": "2026-09-15",
        "minimum_closes_on": "2026-10-01",  # 30 calendar days
        "minimum_rule": "consultation_min_major_decision@v1",
        "calendar_days_short": 16,
        "shortening_reason": "汛期临近，须在九月中旬前确定方案",
    }
    unreviewed = detail(w, "oversight", "deliberation_without_legality_review")["results"]
    assert {r["id"]: r["details"] for r in unreviewed} == {
        w.unreviewed.pk: {
            "stage": "decided",
            "decided_on": "2026-10-09",
            "latest_review_result": None,
            "latest_review_completed_on": None,
        },
        w.unlawful.pk: {
            "stage": "deliberation",
            "decided_on": None,
            "latest_review_result": "unlawful",
            "latest_review_completed_on": "2026-09-10",
        },
    }
    withheld = detail(w, "oversight", "decisions_withheld_reassessment")["results"]
    past, undated = w.withheld[D(2026, 10, 1)], w.withheld[None]
    assert {r["id"]: (r["measure"], r["due"], r["working_days_late"]) for r in withheld} == {
        # 8, 9, 10 (adjusted Saturday), 12–16, 19, 20 October
        past.pk: ("past_reassessment", "2026-10-01", 10),
        undated.pk: ("no_reassessment_date", None, None),
    }
    assert {r["resource"] for r in withheld} == {"decisions"}


def test_fiscal_details(w):
    projects = detail(w, "oversight", "investment_project_disclosure")["results"]
    assert [(r["id"], r["details"]["status"]) for r in projects] == [
        (w.undisclosed_project.pk, "draft")
    ]
    assert projects[0]["details"]["total_investment"] == "350000.00"
    bonds = detail(w, "oversight", "bond_annual_disclosure")["results"]
    assert [
        (r["id"], r["measure"], r["due"], r["done"], r["working_days_late"]) for r in bonds
    ] == [
        (
            w.bond_missing.pk,
            "missing",
            "2026-06-30",
            None,
            workdays_between(D(2026, 6, 30), cw.TODAY),
        ),
        (w.bond_late.pk, "late", "2026-06-30", "2026-07-03", 3),
    ]
    assert bonds[0]["details"] == {"bond_code": "B2024", "year": 2026}


DETAIL_SEES = {
    "anonymous": None,  # 401
    "editor": {"late", "overdue"},
    "publisher": {"late", "overdue"},
    "department_admin": {"late", "overdue"},
    "other_editor": {"other_late"},
    "other_publisher": {"other_late"},
    "oversight": {"late", "overdue", "other_late"},
    "superuser": {"late", "overdue", "other_late"},
    "legality_reviewer": set(),
}


@pytest.mark.parametrize("role", sorted(DETAIL_SEES))
def test_detail_is_for_oversight_and_the_department_itself(w, role):
    response = client(w, role).get(f"{URL}enforcement_action_publication/", {"year": 2026})
    expected = DETAIL_SEES[role]
    if expected is None:
        assert response.status_code == 401
        return
    assert response.status_code == 200, response.content
    seen = {row["id"] for row in response.json()["results"]}
    assert seen == {getattr(w, name).pk for name in expected}
    assert response.json()["count"] == len(expected)
    # Asking for the other department's rows does not widen what a department sees.
    other = client(w, role).get(
        f"{URL}enforcement_action_publication/", {"year": 2026, "department": "fgw"}
    )
    assert {row["id"] for row in other.json()["results"]} == seen & {
        w.late.pk,
        w.overdue.pk,
    }


def test_detail_pages(w):
    first = detail(w, "oversight", "enforcement_action_publication", limit=2)
    rest = detail(w, "oversight", "enforcement_action_publication", limit=2, offset=2)
    assert first["count"] == rest["count"] == 3
    ids = [r["id"] for r in first["results"] + rest["results"]]
    assert ids == [w.late.pk, w.overdue.pk, w.other_late.pk]  # by department, then id


BAD = [
    ({"year": "abc"}, "year"),
    ({"year": "1999"}, "year"),
    ({"year": "２０２６"}, "year"),
    ({"year": "2026", "month": "13"}, "month"),
    ({"month": "0"}, "month"),
    ({"month": "5月"}, "month"),
    ({"from": "2026-13-01", "to": "2026-12-31"}, "from"),
    ({"to": "2026-02-30"}, "to"),
    ({"from": "yesterday"}, "from"),
    ({"department": "nope"}, "department"),
    ({"department": "fgw\x00"}, "department"),
    ({"check": "nope"}, "check"),
    ({"colour": "red"}, "colour"),
]


@pytest.mark.parametrize(("params", "name"), BAD)
def test_bad_parameters_are_400_naming_them(w, params, name):
    response = client(w, "anonymous").get(URL, params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert name in body["errors"], body
    assert body["detail"].startswith("请求有误：")


@pytest.mark.parametrize(
    ("params", "name"),
    [({"limit": "0"}, "limit"), ({"limit": "1001"}, "limit"), ({"offset": "-1"}, "offset")]
    + [(params, name) for params, name in BAD if name != "check"],
)
def test_bad_detail_parameters(w, params, name):
    response = client(w, "oversight").get(f"{URL}enforcement_action_publication/", params)
    assert response.status_code == 400, response.content
    assert name in response.json()["errors"]


def test_unknown_check_is_404(w):
    assert client(w, "oversight").get(f"{URL}nope/").status_code == 404


def test_period_parsing():
    today = D(2026, 10, 20)

    def parsed(**params):
        chosen = period.parse(params, today)
        return chosen.start, chosen.end

    assert period.parse({}, today) == period.year_period(2026)
    assert parsed(year="2024", month="2") == (D(2024, 2, 1), D(2024, 2, 29))
    assert parsed(month="2") == (D(2026, 2, 1), D(2026, 2, 28))  # of the current year
    assert parsed(**{"from": "2026-03-01", "to": "2026-03-01"}) == (D(2026, 3, 1), D(2026, 3, 1))
    assert parsed(**{"from": "2025-03-01"}) == (D(2025, 3, 1), D(2025, 12, 31))
    assert parsed(to="2025-03-01") == (D(2025, 1, 1), D(2025, 3, 1))
    # Given together, the parameters narrow each other.
    assert parsed(year="2026", **{"from": "2025-06-01", "to": "2026-03-31"}) == (
        D(2026, 1, 1),
        D(2026, 3, 31),
    )
    assert parsed(year="2026", month="9", to="2026-09-15") == (D(2026, 9, 1), D(2026, 9, 15))
    # What they have in common may be nothing: an empty period.
    empty = period.parse({"from": "2026-05-01", "to": "2026-04-30"}, today)
    assert empty.start > empty.end
    with pytest.raises(period.PeriodError) as raised:
        period.parse({"year": "x", "month": "0"}, today)
    assert set(raised.value.errors) == {"year", "month"}


def test_one_query_per_check(w, django_assert_num_queries):
    chosen = period.year_period(2026)
    checks = registration.checks()
    with django_assert_num_queries(len(checks) + 1):  # one per check, one for the names
        report.counts(chosen, cw.TODAY)

    def queries(params):
        with CaptureQueriesContext(connection) as captured:
            assert client(w, "anonymous").get(URL, params).status_code == 200
        return len(captured)

    every, one = queries({"year": 2026}), queries({"year": 2026, "check": "bond_annual_disclosure"})
    assert every - one == len(checks) - 1


@pytest.mark.parametrize(
    ("code", "queries"),
    [
        # count, rows, and the working-day calendar (two) for the lateness
        ("enforcement_action_publication", 4),
        ("enforcement_withdrawal", 4),
        ("consultation_shortened", 2),  # no lateness in working days
        ("deliberation_without_legality_review", 2),
        ("investment_project_disclosure", 2),
        # rows only (counted in Python), with the calendar
        ("bond_annual_disclosure", 3),
    ],
)
def test_detail_queries_do_not_grow_with_rows(w, code, queries, django_assert_num_queries):
    narrowing = Narrowing(w.users["oversight"])
    assert narrowing.sees_detail  # reads the user's permissions once, before counting
    check = registration.check(code)
    with django_assert_num_queries(queries):
        count, rows = report.detail(
            check, period.year_period(2026), cw.TODAY, narrowing, limit=1000
        )
    assert count == len(rows) >= 1


def test_errors_are_chinese_with_an_english_translation(w):
    chinese = client(w, "anonymous").get(URL, {"year": "abc"}).json()
    assert chinese["errors"]["year"] == ["year 必须是 2000 至 2100 之间的整数。"]
    english = client(w, "anonymous").get(URL, {"year": "abc"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["errors"]["year"] == ["year must be an integer between 2000 and 2100."]
    labels = client(w, "anonymous").get(URL, {"check": "enforcement_withdrawal"}).json()
    assert labels["checks"][0]["label"] == "执法决定变更、撤销后按期撤回"
