"""Aggregate statistics in GraphQL (``registry.graphql.statistics`` and the registries'
``graphql_statistics`` declarations).

One varied data set is built once for the module through the service functions (several
departments and years; published, draft, withheld and withdrawn rows); dates the services
stamp (decision and publication dates) are then moved into the past directly. Every expected
figure is computed here in Python from what was created — never with the SQL under test — and
the rows each reader aggregates are compared with what the REST list shows them."""

import datetime
import itertools
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from decisions.models import Comment, Consultation, Decision
from decisions.services import consultations, lifecycle, reviews
from enforcement.models import EnforcementAction, InspectionResult
from enforcement.services import inspections
from fiscal.models import BondDisclosure, InvestmentProject
from registry.models import Department
from registry.services import workflow
from tests.decisions import builders as decision_builders
from tests.enforcement import builders as enforcement_builders
from tests.fiscal import builders as fiscal_builders
from tests.world import api_client, create_user, people_world, tokens_for

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = datetime.UTC
GROUND = "《中华人民共和国政府信息公开条例》第十六条"
SECRET_GROUND = "《中华人民共和国保守国家秘密法》第九条"
D = datetime.date

# Who sees a row (what the REST list shows them): the public sees published rows only (not
# withheld, not withdrawn, not drafts); the editor of fgw sees every row of fgw as well.
ANONYMOUS, EDITOR = "anonymous", "editor"


def visible(row, reader):
    if reader == ANONYMOUS:
        return row["public"]
    if reader == EDITOR:
        return row["public"] or row["department"] == "fgw"
    raise AssertionError(reader)


# ---------------------------------------------------------------------------------------------
# The world


def _withhold(record):
    type(record).objects.filter(pk=record.pk).update(
        withheld_ground="internal_affairs", withheld_legal_basis=GROUND
    )


def _withdraw(record, publisher):
    return workflow.withdraw(record, acting_user=publisher, reason="决定被撤销", legal_basis=GROUND)


def _finish(record, state, publisher):
    """Move a published record into ``state`` (published, withheld, withdrawn)."""
    if state == "withheld":
        _withhold(record)
    elif state == "withdrawn":
        record = _withdraw(record, publisher)
    return record


def _people(w):
    return {
        "fgw": (w.users["editor"], w.users["publisher"]),
        "scjgj": (w.users["other_editor"], w.users["other_publisher"]),
    }


# (key, department, category, state, decided_on, confidentiality, prepublished_on)
DECISIONS = [
    ("d1", "fgw", "public_policy", "published", D(2024, 3, 5), "none", D(2024, 1, 10)),
    ("d2", "fgw", "plan", "published", D(2024, 11, 20), "none", D(2024, 9, 1)),
    ("d3", "fgw", "public_policy", "published", D(2025, 3, 1), "draft_withheld", None),
    ("d4", "fgw", "public_project", "draft", D(2025, 6, 30), "none", D(2025, 5, 1)),
    ("d5", "fgw", "plan", "withdrawn", D(2025, 7, 1), "none", None),
    ("d6", "fgw", "other", "secret", None, "fully_withheld", None),
    ("d7", "fgw", "plan", "withheld", D(2026, 1, 10), "none", None),
    ("s1", "scjgj", "public_policy", "published", D(2024, 3, 30), "none", D(2024, 1, 5)),
    ("s2", "scjgj", "resources_policy", "published", D(2026, 2, 2), "none", D(2025, 12, 1)),
    ("s3", "scjgj", "plan", "draft", D(2026, 2, 3), "none", None),
    ("s4", "scjgj", "plan", "published", None, "none", None),
]
# (key, decision, document type, opens_on, closes_on, shortening reason, state)
CONSULTATIONS = [
    ("c1", "d1", "major_decision", D(2024, 1, 10), D(2024, 2, 9), "", "published"),
    ("c2", "d1", "normative_document", D(2024, 2, 15), D(2024, 2, 25), "情况紧急", "published"),
    ("c3", "d2", "major_decision", D(2024, 9, 1), D(2024, 9, 16), "上级时限要求", "published"),
    ("c4", "s1", "major_decision", D(2024, 1, 5), D(2024, 2, 20), "", "published"),
    ("c5", "s2", "major_decision", D(2025, 12, 1), D(2025, 12, 11), "情况紧急", "published"),
    ("c6", "d2", "major_decision", D(2024, 10, 1), D(2024, 10, 31), "", "draft"),
    ("c7", "d1", "major_decision", D(2024, 5, 1), D(2024, 5, 6), "情况紧急", "withheld"),
    ("c8", "d2", "major_decision", D(2024, 6, 1), D(2024, 7, 1), "", "withdrawn"),
    ("c9", "s2", "major_decision", D(2025, 3, 1), D(2025, 3, 31), "", "draft"),
    # Published, but its decision is a draft: not public.
    ("c10", "d4", "major_decision", D(2025, 5, 1), D(2025, 5, 31), "", "published"),
]
# (department, started_on, completed_on, result)
REVIEWS = [
    ("fgw", D(2024, 3, 1), D(2024, 3, 15), "lawful"),
    ("fgw", D(2025, 6, 2), D(2025, 6, 20), "lawful_with_risk"),
    ("fgw", D(2026, 9, 1), None, ""),
    ("scjgj", D(2024, 4, 1), D(2024, 4, 19), "unlawful"),
    ("scjgj", D(2026, 3, 2), D(2026, 3, 16), "lawful"),
]


def table(text):
    """Rows of a whitespace-separated table: ``-`` is empty, ISO dates and UTC datetimes
    (``…T…``) are parsed, everything else stays text."""

    def cell(value):
        if value == "-":
            return None
        if len(value) >= 10 and value[4] == "-" and value[7] == "-":
            if "T" in value:
                return datetime.datetime.fromisoformat(value).replace(tzinfo=UTC)
            return datetime.date.fromisoformat(value)
        return value

    return [tuple(cell(v) for v in line.split()) for line in text.strip().splitlines()]


# Enforcement decisions; ``published`` is the publication time in UTC. e1 was published on
# 03-08 in Shanghai, e3 at 23:59 and e4 at 00:00 local time. e8's display period (general:
# 12 months) has ended, so it is off the public list.
ACTIONS = table("""
e1  fgw   penalty    2025-03-03 50000.00 1234.56  serious legal   published 2025-03-07T17:30
e2  fgw   penalty    2025-11-20 2000.50  -        serious legal   published 2025-11-21T02:00
e3  fgw   penalty    2026-02-10 10000.00 500.00   general legal   published 2026-02-12T15:59
e4  fgw   inspection 2026-05-06 -        -        -       legal   published 2026-05-20T16:00
e5  fgw   penalty    2026-06-01 7777.77  -        serious legal   draft     -
e6  fgw   penalty    2025-08-08 3000.00  -        serious legal   withheld  2025-08-09T01:00
e7  fgw   penalty    2025-09-09 4000.00  -        serious legal   withdrawn 2025-09-12T01:00
e8  fgw   penalty    2025-03-20 100.00   -        general legal   published 2025-03-21T01:00
e9  scjgj penalty    2025-04-04 80000.00 20000.00 serious legal   published 2025-04-10T01:00
e10 scjgj penalty    2026-07-07 123.45   -        serious legal   published 2026-07-09T01:00
e11 scjgj penalty    2026-08-08 999.00   -        serious legal   draft     -
e12 fgw   penalty    2026-10-15 -        -        minor   natural published 2026-10-16T01:00
""")
PARTY_KINDS = {"legal": "legal_person", "natural": "natural_person"}
# Investment projects: (key, department, category, total investment, with targets and
# funding, plan year, state, date made, published (UTC)). p1 was published on 03-21 local.
PROJECTS = table("""
p1  fgw    school    350000.00   yes  2025  published  2025-03-01  2025-03-20T16:30
p2  fgw    other     400000.00   yes  2025  published  2025-04-01  2025-04-02T01:00
p3  fgw    hospital  2000000.00  yes  2026  draft      2026-03-01  -
p4  fgw    other     600000.00   no   2026  draft      2026-03-01  -
p5  fgw    school    100000.00   yes  2026  withheld   2026-02-01  2026-02-10T01:00
p6  scjgj  other     900000.00   yes  2026  published  2026-01-05  2026-01-25T01:00
p7  scjgj  school    250000.00   yes  2025  draft      2025-06-01  -
p8  fgw    other     750000.00   yes  2025  withdrawn  2025-05-01  2025-05-31T01:00
""")
# (department, outcome, inspected until, state)
INSPECTIONS = [
    ("fgw", "no_problem", D(2026, 3, 10), "published"),
    ("fgw", "rectify", D(2026, 4, 10), "draft"),
    ("fgw", "case_opened", D(2026, 5, 10), "withheld"),
    ("scjgj", "no_problem", D(2026, 6, 10), "published"),
]
# (department, issue date, state, years of published annual disclosures)
BONDS = [
    ("fgw", D(2023, 5, 20), "published", [2024, 2025]),
    ("fgw", D(2024, 8, 1), "draft", []),
    ("scjgj", D(2024, 5, 20), "published", [2025]),
    ("scjgj", D(2022, 3, 3), "withdrawn", []),
]
# (department, year, reporting point, state, general balance, special balance)
DEBT_REPORTS = [
    ("fgw", 2024, "final_accounts", "published", "7000000000.00", "11000000000.00"),
    ("fgw", 2025, "budget", "published", "7500000000.00", "11800000000.00"),
    ("fgw", 2025, "final_accounts", "draft", "7700000000.00", "11900000000.00"),
    ("fgw", 2023, "mid_year_adjustment", "withheld", "6000000000.00", "9000000000.00"),
    ("scjgj", 2024, "final_accounts", "published", "5000000000.00", "6000000000.00"),
    ("scjgj", 2025, "final_accounts", "published", "8500000000.00", "10000000000.00"),
]


def _build_decisions(w):
    people = _people(w)
    w.decision_records, w.decision_rows = {}, {}
    for key, dept, category, state, _decided, confidentiality, _pre in DECISIONS:
        editor, publisher = people[dept]
        extra = {}
        if confidentiality != "none":
            extra = {"confidentiality": confidentiality, "confidentiality_ground": SECRET_GROUND}
        record = decision_builders.decision(
            getattr(w, dept),
            editor,
            w.catalogue,
            publisher=None if state == "draft" else publisher,
            name=f"决策{key}",
            category=category,
            **extra,
        )
        w.decision_records[key] = _finish(record, state, publisher)

    w.consultation_rows = []
    today = timezone.localdate()
    for key, decision_key, doc_type, opens, closes, reason, state in CONSULTATIONS:
        decision = w.decision_records[decision_key]
        editor, publisher = people[decision.department.code]
        record = decision_builders.consultation(
            decision,
            editor,
            publisher=None if state == "draft" else publisher,
            opens_on=today,
            days=(closes - opens).days,
            document_type=doc_type,
            shortening_reason=reason,
        )
        if key in ("c1", "c4"):
            _comments(w, record, editor)
        record = _finish(record, state, publisher)
        Consultation.objects.filter(pk=record.pk).update(
            opens_on=opens, closes_on=closes, date_made=opens
        )
        decided = next(d[4] for d in DECISIONS if d[0] == decision_key)
        decision_public = next(d[3] for d in DECISIONS if d[0] == decision_key) == "published"
        w.consultation_rows.append(
            {
                "department": decision.department.code,
                "public": state == "published" and decision_public,
                "year": opens.year,
                "month": opens.month,
                "document_type": doc_type,
                "shortened": bool(reason),
                "shortening_reason": reason or None,
                "status": _status(state),
                "duration_days": (closes - opens).days,
                "days_to_decision": (decided - closes).days if decided else None,
            }
        )

    # Decisions at the legality review stage (withheld drafts need no consultation).
    w.review_rows = []
    reviewer = w.users["legality_reviewer"]
    for dept in ("fgw", "scjgj"):
        editor, publisher = people[dept]
        record = decision_builders.decision(
            getattr(w, dept),
            editor,
            w.catalogue,
            publisher=publisher,
            name=f"送审决策{dept}",
            category="other",
            confidentiality="draft_withheld",
            confidentiality_ground=SECRET_GROUND,
        )
        for stage in ("drafting", "legality_review"):
            record = lifecycle.advance(record, stage, acting_user=publisher)
        w.decision_records[f"review-{dept}"] = record
        for review_dept, started, completed, result in REVIEWS:
            if review_dept != dept:
                continue
            if completed is None:
                review = reviews.start_review(record, acting_user=reviewer, started_on=started)
            else:
                review = decision_builders.lawful_review(
                    record, reviewer, started, completed, result=result
                )
            w.review_rows.append(
                {
                    "department": dept,
                    "public": False,  # legality reviews are internal
                    "year": started.year,
                    "month": started.month,
                    "result": result or None,
                    "working_days": review.working_days,
                    "calendar_days": (completed - started).days if completed else None,
                }
            )
    # The dates the lifecycle would stamp, set directly.
    for key, _dept, _category, _state, decided, _conf, prepublished in DECISIONS:
        changes = {"prepublished_on": prepublished}
        if decided:
            changes.update(decided_on=decided, stage="decided")
        Decision.objects.filter(pk=w.decision_records[key].pk).update(**changes)
    for key, dept, category, state, decided, _conf, prepublished in DECISIONS:
        w.decision_rows[key] = {
            "department": dept,
            "public": state == "published",
            "year": decided.year if decided else None,
            "month": decided.month if decided else None,
            "category": category,
            "stage": "decided" if decided else "planned",
            "status": _status(state),
            "days_from_prepublication": (
                (decided - prepublished).days if decided and prepublished else None
            ),
        }
    for dept in ("fgw", "scjgj"):
        w.decision_rows[f"review-{dept}"] = {
            "department": dept,
            "public": True,
            "year": None,
            "month": None,
            "category": "other",
            "stage": "legality_review",
            "status": "published",
            "days_from_prepublication": None,
        }


def _status(state):
    return {"withheld": "published", "secret": "published"}.get(state, state)


def _comments(w, consultation, editor):
    """Comments on an open consultation, moderated, then dated around a new year's midnight
    in Shanghai."""
    w.comment_rows = getattr(w, "comment_rows", [])
    moments = [
        (datetime.datetime(2023, 12, 31, 16, 30, tzinfo=UTC), "published", ""),  # 2024-01-01
        (datetime.datetime(2023, 12, 31, 15, 30, tzinfo=UTC), "published", ""),  # 23:30
        (datetime.datetime(2024, 1, 20, 3, 0, tzinfo=UTC), "rejected", "spam"),
        (datetime.datetime(2024, 2, 1, 3, 0, tzinfo=UTC), "pending", ""),
    ]
    for number, (moment, state, reason) in enumerate(moments):
        comment = consultations.submit_comment(
            consultation, content=f"意见{number}", author_name="市民", contact="13800000000"
        )
        if state != "pending":
            comment = consultations.moderate_comment(
                comment, acting_user=editor, publish=state == "published", rejection_reason=reason
            )
        Comment.objects.filter(pk=comment.pk).update(submitted_at=moment)
        local = moment.astimezone(SHANGHAI)
        w.comment_rows.append(
            {
                "department": consultation.department.code,
                "public": state == "published",
                "year": local.year,
                "month": local.month,
                "status": state,
            }
        )


def _build_enforcement(w):
    people = _people(w)
    powers, w.plans = {}, {}
    for dept in ("fgw", "scjgj"):
        editor, publisher = people[dept]
        body = enforcement_builders.body(
            getattr(w, dept), editor, publisher=publisher, name=f"{dept}执法主体"
        )
        powers[dept] = enforcement_builders.power(body, editor, publisher=publisher)
    w.action_rows = []
    today = timezone.localdate()
    for key, dept, kind, decided, fine, confiscation, severity, party, state, published in ACTIONS:
        editor, publisher = people[dept]
        party = PARTY_KINDS[party]
        fields = {
            "document_number": f"璧{key}号",
            "decision_date": decided,
            "severity": severity or "",
            "fine_amount": Decimal(fine) if fine else None,
            "confiscation_amount": Decimal(confiscation) if confiscation else None,
        }
        types = ["fine"] if fine else ["warning"]
        if confiscation:
            types.append("confiscation")
        fields["penalty_types"] = types if kind == "penalty" else []
        if kind != "penalty":
            fields["kind"] = kind
        if party == "natural_person":
            for name in ("fine_amount", "confiscation_amount", "severity", "penalty_types"):
                fields.pop(name)
            record = enforcement_builders.natural_person_penalty(
                powers[dept], editor, publisher=publisher, **fields
            )
        else:
            record = enforcement_builders.penalty(
                powers[dept], editor, publisher=None if state == "draft" else publisher, **fields
            )
        record = _finish(record, state, publisher)
        EnforcementAction.objects.filter(pk=record.pk).update(published_at=published)
        displayed = record.display_until is None or record.display_until >= today
        w.action_rows.append(
            {
                "department": dept,
                "public": state == "published" and displayed,
                "year": decided.year,
                "month": decided.month,
                "kind": kind,
                "severity": severity or None,
                "party_kind": party,
                "status": _status(state),
                "fine_amount": record.fine_amount,
                "confiscation_amount": record.confiscation_amount,
                "days_to_publication": (
                    (published.astimezone(SHANGHAI).date() - decided).days if published else None
                ),
            }
        )
    # The data set covers both sides of the display period.
    assert any(r["status"] == "published" and not r["public"] for r in w.action_rows)

    w.inspection_rows = []
    for dept, outcome, until, state in INSPECTIONS:
        editor, publisher = people[dept]
        plan = w.plans.get(dept)
        if plan is None:
            plan = enforcement_builders.plan(powers[dept].body, editor, publisher=publisher)
            plan = w.plans[dept] = inspections.draw(plan, acting_user=editor)
        record = workflow.create(
            InspectionResult,
            acting_user=editor,
            department=plan.department,
            body=plan.body,
            plan=plan,
            name="抽查结果",
            date_made=until,
            entity_name=plan.selection[len(w.inspection_rows) % len(plan.selection)]["name"],
            inspected_from=until - datetime.timedelta(days=2),
            inspected_until=until,
            outcome=outcome,
        )
        if state != "draft":
            record = _finish(workflow.publish(record, acting_user=publisher), state, publisher)
        w.inspection_rows.append(
            {
                "department": dept,
                "public": state == "published",
                "outcome": outcome,
                "status": _status(state),
            }
        )


def _build_fiscal(w):
    people = _people(w)
    w.project_rows = []
    for key, dept, category, amount, complete, year, state, made, published in PROJECTS:
        editor, publisher = people[dept]
        year = int(year)
        record = fiscal_builders.project(
            getattr(w, dept),
            editor,
            publisher=None if state == "draft" else publisher,
            amount=amount,
            category=category,
            code=f"P-{key}",
            complete=complete == "yes",
            name=f"项目{key}",
        )
        record = _finish(record, state, publisher)
        InvestmentProject.objects.filter(pk=record.pk).update(
            year=year, date_made=made, published_at=published
        )
        w.project_rows.append(
            {
                "department": dept,
                "public": state == "published",
                "year": year,
                "category": category,
                "status": _status(state),
                # The thresholds of the seed: 300,000 for schools and hospitals, else 500,000.
                "disclosure_required": Decimal(amount)
                >= Decimal("300000" if category in ("school", "hospital") else "500000"),
                "total_investment": Decimal(amount),
                "days_to_publication": (
                    (published.astimezone(SHANGHAI).date() - made).days if published else None
                ),
            }
        )
        assert record.disclosure_required == w.project_rows[-1]["disclosure_required"]

    w.bond_rows = []
    for number, (dept, issue, state, disclosures) in enumerate(BONDS):
        editor, publisher = people[dept]
        record = fiscal_builders.bond(
            getattr(w, dept),
            editor,
            publisher=None if state == "draft" else publisher,
            code=f"20260500{number:02d}",
            issue=issue,
        )
        record = _finish(record, state, publisher)
        for year in disclosures:
            disclosure = workflow.create(
                BondDisclosure,
                acting_user=editor,
                department=record.department,
                bond=record,
                name=f"{year}年存续期信息",
                date_made=datetime.date(year, 6, 20),
                kind="annual",
                period_year=year,
                amount=Decimal("1500000.00"),
            )
            workflow.publish(disclosure, acting_user=publisher)
        w.bond_rows.append(
            {
                "department": dept,
                "public": state == "published",
                "year": issue.year,
                "status": _status(state),
                "amount": record.amount,
                "disclosure_years": disclosures,
            }
        )

    w.debt_rows = []
    for dept, year, point, state, general, special in DEBT_REPORTS:
        editor, publisher = people[dept]
        total = Decimal(general) + Decimal(special)
        record = fiscal_builders.debt_report(
            getattr(w, dept),
            editor,
            publisher=None if state == "draft" else publisher,
            year=year,
            point=point,
            general_balance=Decimal(general),
            special_balance=Decimal(special),
            total_balance=total,
        )
        record = _finish(record, state, publisher)
        capacity = record.comprehensive_capacity
        repaid = record.principal_repaid + record.interest_repaid
        w.debt_rows.append(
            {
                "department": dept,
                "public": state == "published",
                "year": year,
                "reporting_point": point,
                "status": _status(state),
                "over_limit": Decimal(general) > record.general_limit
                or Decimal(special) > record.special_limit,
                # The formula: balance (or debt service) over comprehensive capacity, in %.
                "debt_ratio": (total / capacity * 100).quantize(Decimal("0.0001")),
                "debt_service_ratio": (repaid / capacity * 100).quantize(Decimal("0.0001")),
                "total_balance": total,
                "total_limit": record.total_limit,
            }
        )
        assert record.debt_ratio == w.debt_rows[-1]["debt_ratio"]


def _build_world():
    w = people_world()
    w.office = Department.objects.create(
        code="qzfb", name_zh="区政府办公室", kind="district_office"
    )
    office_users = {
        "office_editor": create_user("office_editor", ("editor", w.office)),
        "office_publisher": create_user("office_publisher", ("publisher", w.office)),
    }
    w.users.update(office_users)
    w.tokens.update(tokens_for(office_users))
    w.catalogue = decision_builders.catalogue(
        w.office, office_users["office_publisher"], office_users["office_editor"]
    )
    _build_decisions(w)
    _build_enforcement(w)
    _build_fiscal(w)
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


@pytest.fixture
def w(world, db):
    """The module's data; each test runs in a savepoint rolled back afterwards."""
    return world


# ---------------------------------------------------------------------------------------------
# Helpers


def post(w, reader, query, variables=None):
    body = {"query": query}
    if variables:
        body["variables"] = variables
    return api_client(w.tokens.get(reader)).post("/graphql/", body, format="json")


def gql(w, reader, query, variables=None):
    response = post(w, reader, query, variables)
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]


def rest_count(w, reader, resource, **params):
    response = api_client(w.tokens.get(reader)).get(
        f"/api/v1/{resource}/", {**params, "page_size": 500}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next"] is None
    return len(body["results"])


def money(value, places=2):
    return str(Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def decimal_aggregate(values, places=2):
    values = [v for v in values if v is not None]
    if not values:
        return {"sum": None, "min": None, "max": None, "avg": None, "count": 0}
    return {
        "sum": money(sum(values), places),
        "min": money(min(values), places),
        "max": money(max(values), places),
        "avg": money(sum(values) / len(values), places),
        "count": len(values),
    }


def integer_aggregate(values):
    values = [v for v in values if v is not None]
    if not values:
        return {"sum": None, "min": None, "max": None, "avg": None, "count": 0}
    mean = (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return {
        "sum": sum(values),
        "min": min(values),
        "max": max(values),
        "avg": float(mean),
        "count": len(values),
    }


def expected(rows, reader, keys, measures=None, **where):
    """``{group key tuple: {"count": n, measure: aggregate}}`` of the rows ``reader`` sees
    (and that match ``where``), computed in Python."""
    groups = defaultdict(list)
    for row in rows:
        if visible(row, reader) and all(row[k] == v for k, v in where.items()):
            groups[tuple(row[k] for k in keys)].append(row)
    result = {}
    for key, members in groups.items():
        result[key] = {"count": len(members)}
        for name, aggregate in (measures or {}).items():
            result[key][name] = aggregate([row[name] for row in members])
    return result


def camel(name):
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


def actual(groups, keys, measures=()):
    """The GraphQL groups keyed like :func:`expected` (departments by code); checks the
    groups come ordered by their keys, nulls last."""
    result = {}
    for group in groups:
        key = tuple(_key_value(k, group[camel(k)]) for k in keys)
        result[key] = {"count": group["count"]}
        for name in measures:
            result[key][name] = group[camel(name)]
    order = [
        tuple(
            (1, 0)
            if value is None
            else (0, department_ids[value] if keys[i] == "department" else value)
            for i, value in enumerate(key)
        )
        for key in result
        for department_ids in [_department_ids()]
    ]
    assert order == sorted(order), list(result)
    return result


def _key_value(name, value):
    """A group's key as the Python rows hold it: a department by its code, an enum value
    (``PUBLIC_POLICY``) as the stored choice (``public_policy``)."""
    if name == "department":
        return value and value["code"]
    return value.lower() if isinstance(value, str) and value.isupper() else value


def _department_ids():
    return dict(Department.objects.values_list("code", "pk"))


AGGREGATE_FIELDS = "{ sum min max avg count }"


# ---------------------------------------------------------------------------------------------
# Decisions


@pytest.mark.parametrize("reader", [ANONYMOUS, EDITOR])
def test_decision_statistics_by_department_year_and_category(w, reader):
    keys = ["department", "year", "category"]
    query = """{ decisionStatistics(groupBy: [DEPARTMENT, YEAR, CATEGORY]) {
        department { code nameZh } year category month count
        daysFromPrepublication { sum min max avg count } } }"""
    groups = gql(w, reader, query)["decisionStatistics"]
    assert all(g["month"] is None for g in groups)  # not grouped by month
    rows = list(w.decision_rows.values())
    measures = {"days_from_prepublication": integer_aggregate}
    assert actual(groups, keys, measures) == expected(rows, reader, keys, measures)
    # Exactly the rows of the REST list.
    assert sum(g["count"] for g in groups) == rest_count(w, reader, "decisions")
    # Enumerations come back as the records' own enum values.
    assert {g["category"] for g in groups} <= {
        "PUBLIC_POLICY",
        "PLAN",
        "RESOURCES_POLICY",
        "PUBLIC_PROJECT",
        "OTHER",
    }


@pytest.mark.parametrize("reader", [ANONYMOUS, EDITOR])
def test_decision_totals_status_and_stage(w, reader):
    rows = list(w.decision_rows.values())
    data = gql(w, reader, "{ decisionStatistics { count department { code } year status } }")
    (totals,) = data["decisionStatistics"]
    assert totals == {
        "count": sum(visible(r, reader) for r in rows),
        "department": None,
        "year": None,
        "status": None,
    }
    query = "{ decisionStatistics(groupBy: [STATUS, STAGE]) { status stage count } }"
    groups = gql(w, reader, query)["decisionStatistics"]
    got = {key: value["count"] for key, value in actual(groups, ["status", "stage"]).items()}
    want = {k: v["count"] for k, v in expected(rows, reader, ["status", "stage"]).items()}
    assert got == want
    if reader == ANONYMOUS:
        assert set(got) == {
            ("published", "decided"),
            ("published", "planned"),
            ("published", "legality_review"),
        }
    else:  # drafts, withdrawn, withheld and secret rows of fgw are the editor's own
        assert ("draft", "decided") in got and ("withdrawn", "decided") in got


def test_filters_narrow_statistics_and_match_rest(w):
    for reader, dept in itertools.product([ANONYMOUS, EDITOR], ["fgw", "scjgj"]):
        query = f'{{ decisionStatistics(department: "{dept}", category: "plan") {{ count }} }}'
        (group,) = gql(w, reader, query)["decisionStatistics"]
        rows = list(w.decision_rows.values())
        want = expected(rows, reader, [], department=dept, category="plan")
        assert group["count"] == want.get((), {"count": 0})["count"]
        assert group["count"] == rest_count(
            w, reader, "decisions", department=dept, category="plan"
        )


def test_month_alone_is_the_month_of_year(w):
    query = "{ decisionStatistics(groupBy: [MONTH]) { month year count } }"
    groups = gql(w, ANONYMOUS, query)["decisionStatistics"]
    rows = list(w.decision_rows.values())
    assert actual(groups, ["month"]) == expected(rows, ANONYMOUS, ["month"])
    assert all(g["month"] is None or 1 <= g["month"] <= 12 for g in groups)


# ---------------------------------------------------------------------------------------------
# Consultations


@pytest.mark.parametrize("reader", [ANONYMOUS, EDITOR])
def test_consultations_shortened_and_why(w, reader):
    keys = ["shortened", "shortening_reason"]
    measures = {"duration_days": integer_aggregate, "days_to_decision": integer_aggregate}
    query = """query($by: [ConsultationDimension!]) { consultationStatistics(groupBy: $by) {
        shortened shorteningReason count
        durationDays { ...all } daysToDecision { ...all } } }
        fragment all on IntegerAggregate { sum min max avg count }"""
    groups = gql(w, reader, query, {"by": ["SHORTENED", "SHORTENING_REASON"]})
    groups = groups["consultationStatistics"]
    want = expected(w.consultation_rows, reader, keys, measures)
    assert actual(groups, keys, measures) == want
    assert sum(g["count"] for g in groups) == rest_count(w, reader, "consultations")
    shortened = sum(g["count"] for g in groups if g["shortened"])
    assert shortened == rest_count(w, reader, "consultations", shortened="true")
    if reader == ANONYMOUS:
        # c2 and c5 share their reason across departments; c7 (withheld) is not counted.
        assert want[(True, "情况紧急")]["count"] == 2
    else:
        assert want[(True, "情况紧急")]["count"] == 3


@pytest.mark.parametrize("reader", [ANONYMOUS, EDITOR])
def test_consultation_durations_per_department_and_year(w, reader):
    keys = ["department", "year", "document_type"]
    measures = {"duration_days": integer_aggregate, "days_to_decision": integer_aggregate}
    query = """{ consultationStatistics(groupBy: [DEPARTMENT, YEAR, DOCUMENT_TYPE]) {
        department { code } year documentType count
        durationDays { sum min max avg count } daysToDecision { sum min max avg count } } }"""
    groups = gql(w, reader, query)["consultationStatistics"]
    want = expected(w.consultation_rows, reader, keys, measures)
    assert actual(groups, keys, measures) == want
    # Durations are whole days, as numbers.
    assert all(isinstance(g["durationDays"]["sum"], int) for g in groups)


# ---------------------------------------------------------------------------------------------
# Legality reviews and comments


@pytest.mark.parametrize("reader", [ANONYMOUS, EDITOR, "other_editor", "legality_reviewer"])
def test_legality_review_durations(w, reader):
    keys = ["department", "result"]
    measures = {"working_days": integer_aggregate, "calendar_days": integer_aggregate}
    query = """{ legalityReviewStatistics(groupBy: [DEPARTMENT, RESULT]) {
        department { code } result count
        workingDays { sum min max avg count } calendarDays { sum min max avg count } } }"""
    groups = gql(w, reader, query)["legalityReviewStatistics"]
    sees = {
        ANONYMOUS: set(),
        EDITOR: {"fgw"},
        "other_editor": {"scjgj"},
        "legality_reviewer": {"fgw", "scjgj"},
    }[reader]
    rows = [{**row, "public": row["department"] in sees} for row in w.review_rows]
    want = expected(rows, ANONYMOUS, keys, measures)
    assert actual(groups, keys, measures) == want
    assert sum(g["count"] for g in groups) == rest_count(w, reader, "legality-reviews")
    if reader == ANONYMOUS:
        assert groups == []
        (totals,) = gql(w, reader, "{ legalityReviewStatistics { count } }")[
            "legalityReviewStatistics"
        ]
        assert totals == {"count": 0}


def test_comment_statistics_in_shanghai_time(w):
    keys = ["year", "month", "status"]
    query = """{ commentStatistics(groupBy: [YEAR, MONTH, STATUS]) {
        year month status count } }"""
    for reader in (ANONYMOUS, EDITOR):
        groups = gql(w, reader, query)["commentStatistics"]
        got = actual(groups, keys)
        assert got == expected(w.comment_rows, reader, keys)
    # 2023-12-31 16:30 UTC is New Year's Day in Shanghai.
    assert got[(2024, 1, "published")]["count"] == 2
    assert got[(2023, 12, "published")]["count"] == 2


# ---------------------------------------------------------------------------------------------
# Enforcement


@pytest.mark.parametrize("reader", [ANONYMOUS, EDITOR])
def test_penalty_totals_per_department_and_year(w, reader):
    keys = ["year", "department"]  # groups come ordered as groupBy lists the dimensions
    measures = {
        "fine_amount": decimal_aggregate,
        "confiscation_amount": decimal_aggregate,
        "days_to_publication": integer_aggregate,
    }
    query = """{ enforcementActionStatistics(groupBy: [YEAR, DEPARTMENT]) {
        department { code } year count
        fineAmount { sum min max avg count }
        confiscationAmount { sum min max avg count }
        daysToPublication { sum min max avg count } } }"""
    groups = gql(w, reader, query)["enforcementActionStatistics"]
    assert actual(groups, keys, measures) == expected(w.action_rows, reader, keys, measures)
    assert sum(g["count"] for g in groups) == rest_count(w, reader, "enforcement-actions")


@pytest.mark.parametrize("reader", [ANONYMOUS, EDITOR])
def test_enforcement_kinds_severity_and_filters(w, reader):
    keys = ["kind", "severity", "party_kind", "status"]
    query = """{ enforcementActionStatistics(
            groupBy: [KIND, SEVERITY, PARTY_KIND, STATUS], kind: ["penalty"]) {
        kind severity partyKind status count fineAmount { sum count } } }"""
    groups = gql(w, reader, query)["enforcementActionStatistics"]
    got = actual(groups, keys, ["fine_amount"])
    want = expected(w.action_rows, reader, keys, {"fine_amount": decimal_aggregate}, kind="penalty")
    for value in want.values():
        value["fine_amount"] = {
            "sum": value["fine_amount"]["sum"],
            "count": value["fine_amount"]["count"],
        }
    assert got == want
    total = sum(g["count"] for g in groups)
    assert total == rest_count(w, reader, "enforcement-actions", kind="penalty")
    query = '{ enforcementActionStatistics(department: "scjgj") { count } }'
    (scjgj,) = gql(w, reader, query)["enforcementActionStatistics"]
    assert scjgj["count"] == sum(
        1 for r in w.action_rows if visible(r, reader) and r["department"] == "scjgj"
    )


# ---------------------------------------------------------------------------------------------
# Fiscal


def test_projects_that_had_to_be_disclosed_and_were_not(w):
    keys = ["disclosure_required", "status"]
    measures = {"total_investment": decimal_aggregate, "days_to_publication": integer_aggregate}
    query = """{ investmentProjectStatistics(groupBy: [DISCLOSURE_REQUIRED, STATUS]) {
        disclosureRequired status count
        totalInvestment { sum min max avg count } daysToPublication { sum min max avg count }
    } }"""
    for reader in (ANONYMOUS, EDITOR):
        groups = gql(w, reader, query)["investmentProjectStatistics"]
        got = actual(groups, keys, measures)
        assert got == expected(w.project_rows, reader, keys, measures)
        assert sum(g["count"] for g in groups) == rest_count(w, reader, "investment-projects")
    # The editor sees its two undisclosed projects that had to be disclosed; the public none.
    assert got[(True, "draft")]["count"] == 2
    anonymous = gql(w, ANONYMOUS, query)["investmentProjectStatistics"]
    assert all(g["status"] == "PUBLISHED" for g in anonymous)


@pytest.mark.parametrize("reader", [ANONYMOUS, EDITOR])
def test_projects_per_department_year_and_category(w, reader):
    keys = ["department", "year", "category"]
    measures = {"total_investment": decimal_aggregate}
    query = """{ investmentProjectStatistics(groupBy: [DEPARTMENT, YEAR, CATEGORY]) {
        department { code } year category count totalInvestment { sum min max avg count } } }"""
    groups = gql(w, reader, query)["investmentProjectStatistics"]
    assert actual(groups, keys, measures) == expected(w.project_rows, reader, keys, measures)


@pytest.mark.parametrize("reader", [ANONYMOUS, EDITOR])
def test_debt_ratio_by_year(w, reader):
    keys = ["year"]
    measures = {
        "debt_ratio": lambda values: decimal_aggregate(values, 4),
        "debt_service_ratio": lambda values: decimal_aggregate(values, 4),
        "total_balance": decimal_aggregate,
        "total_limit": decimal_aggregate,
    }
    query = """{ debtReportStatistics(groupBy: [YEAR]) { year count
        debtRatio { sum min max avg count } debtServiceRatio { sum min max avg count }
        totalBalance { sum min max avg count } totalLimit { sum min max avg count } } }"""
    groups = gql(w, reader, query)["debtReportStatistics"]
    assert actual(groups, keys, measures) == expected(w.debt_rows, reader, keys, measures)
    assert sum(g["count"] for g in groups) == rest_count(w, reader, "debt-reports")
    query = """{ debtReportStatistics(groupBy: [DEPARTMENT, REPORTING_POINT, OVER_LIMIT]) {
        department { code } reportingPoint overLimit count } }"""
    groups = gql(w, reader, query)["debtReportStatistics"]
    keys = ["department", "reporting_point", "over_limit"]
    assert actual(groups, keys) == expected(w.debt_rows, reader, keys)


@pytest.mark.parametrize("reader", [ANONYMOUS, EDITOR])
def test_inspection_results_and_bonds(w, reader):
    query = """{ inspectionResultStatistics(groupBy: [DEPARTMENT, OUTCOME, STATUS]) {
        department { code } outcome status count } }"""
    groups = gql(w, reader, query)["inspectionResultStatistics"]
    keys = ["department", "outcome", "status"]
    assert actual(groups, keys) == expected(w.inspection_rows, reader, keys)
    assert sum(g["count"] for g in groups) == rest_count(w, reader, "inspection-results")

    query = """{ bondStatistics(groupBy: [DEPARTMENT, YEAR]) { department { code } year count
        amount { sum min max avg count } termYears { sum avg count }
        couponRate { avg } } }"""
    groups = gql(w, reader, query)["bondStatistics"]
    keys = ["department", "year"]
    measures = {"amount": decimal_aggregate}
    want = expected(w.bond_rows, reader, keys, measures)
    assert actual(groups, keys, measures) == want
    assert all(
        g["termYears"] == {"sum": 10 * g["count"], "avg": 10.0, "count": g["count"]} for g in groups
    )
    assert {g["couponRate"]["avg"] for g in groups} == {"2.5800"}  # the rate's 4 places
    assert sum(g["count"] for g in groups) == rest_count(w, reader, "bonds")

    query = """{ bondDisclosureStatistics(groupBy: [PERIOD_YEAR]) { periodYear count
        amount { sum count } } }"""
    groups = gql(w, reader, query)["bondDisclosureStatistics"]
    years = defaultdict(int)
    for row in w.bond_rows:
        for year in row["disclosure_years"] if visible(row, reader) else ():
            years[year] += 1
    assert {g["periodYear"]: g["count"] for g in groups} == years
    assert [g["periodYear"] for g in groups] == sorted(years)
    assert all(g["amount"]["sum"] == money(1500000 * g["count"]) for g in groups)
    assert sum(g["count"] for g in groups) == rest_count(w, reader, "bond-disclosures")


# ---------------------------------------------------------------------------------------------
# Errors, limits and the number of queries


def test_bad_filter_values_name_the_argument(w):
    cases = [
        ('enforcementActionStatistics(partyKind: "alien")', "partyKind"),
        ('enforcementActionStatistics(kind: ["nope"])', "kind"),
        ('decisionStatistics(status: "lost")', "status"),
        ('investmentProjectStatistics(category: "castle")', "category"),
    ]
    for call, argument in cases:
        response = post(w, ANONYMOUS, f"{{ {call} {{ count }} }}")
        body = response.json()
        assert body.get("errors"), body
        error = body["errors"][0]
        assert error["message"].startswith(f"{argument}: "), body
        assert error["extensions"]["argument"] == argument
    # Arguments typed in the schema (enums, groupBy) are checked by GraphQL validation.
    for call, word in [
        ('consultationStatistics(documentType: "poem")', "poem"),
        ("decisionStatistics(groupBy: [PARTY_KIND])", "PARTY_KIND"),
    ]:
        body = post(w, ANONYMOUS, f"{{ {call} {{ count }} }}").json()
        assert body.get("data") is None and word in body["errors"][0]["message"], body


def test_too_many_groups_is_an_error_naming_group_by(w):
    limits = {**getattr(settings, "GRAPHQL_LIMITS", {}), "statistics_max_groups": 2}
    with override_settings(GRAPHQL_LIMITS=limits):
        body = post(w, ANONYMOUS, "{ decisionStatistics(groupBy: [YEAR]) { count } }").json()
        assert body["errors"][0]["message"].startswith("groupBy:"), body
        assert body["errors"][0]["extensions"]["argument"] == "groupBy"
        two = gql(w, ANONYMOUS, "{ decisionStatistics(groupBy: [STATUS]) { count } }")
        assert len(two["decisionStatistics"]) == 1


def test_private_fields_are_not_dimensions_or_measures(w):
    from registry.graphql.schema import schema

    introspection = schema.introspect()
    types = {t["name"]: t for t in introspection["__schema"]["types"]}
    group = {f["name"] for f in types["EnforcementActionStatisticsGroup"]["fields"]}
    assert not {"partyIdNumber", "partyAddress", "partyPhone", "partyName"} & group
    dimensions = {v["name"] for v in types["LegalityReviewDimension"]["enumValues"]}
    assert dimensions == {"DEPARTMENT", "YEAR", "MONTH", "RESULT"}
    comment = {f["name"] for f in types["CommentStatisticsGroup"]["fields"]}
    assert not {"contact", "authorName", "moderationNote"} & comment


def count_queries(w, reader, query):
    with CaptureQueriesContext(connection) as queries:
        gql(w, reader, query)
    return len(queries)


STATISTICS = [
    ("decisionStatistics", "[DEPARTMENT, YEAR, MONTH, CATEGORY]", "daysFromPrepublication"),
    ("consultationStatistics", "[DEPARTMENT, YEAR, SHORTENED]", "daysToDecision"),
    ("legalityReviewStatistics", "[DEPARTMENT, RESULT]", "calendarDays"),
    ("commentStatistics", "[DEPARTMENT, YEAR, MONTH]", None),
    ("enforcementActionStatistics", "[DEPARTMENT, YEAR, MONTH, KIND]", "fineAmount"),
    ("inspectionResultStatistics", "[DEPARTMENT, OUTCOME]", "daysToPublication"),
    ("investmentProjectStatistics", "[DEPARTMENT, YEAR, CATEGORY]", "totalInvestment"),
    ("debtReportStatistics", "[DEPARTMENT, YEAR]", "debtRatio"),
    ("bondStatistics", "[DEPARTMENT, YEAR, MONTH]", "amount"),
    ("bondDisclosureStatistics", "[DEPARTMENT, PERIOD_YEAR]", "amount"),
]


# Legality reviews are internal: the public has no groups.
EMPTY = {(ANONYMOUS, "legalityReviewStatistics")}


@pytest.mark.parametrize("reader", [ANONYMOUS, EDITOR])
@pytest.mark.parametrize("field,group_by,measure", STATISTICS)
def test_one_query_per_statistics_field(w, reader, field, group_by, measure):
    """1 SQL query per statistics field (+1 loading the departments when grouped by
    department), however many groups; the request's fixed queries (authentication,
    permission caches, session settings) are subtracted."""
    selection = f"count {measure} {AGGREGATE_FIELDS}" if measure else "count"
    grouped = f"department {{ code nameZh }} {selection}"
    one = f"{{ a: {field}(groupBy: {group_by}) {{ {grouped} }} }}"
    two = (
        f"{{ a: {field}(groupBy: {group_by}) {{ {grouped} }} "
        f"b: {field}(groupBy: {group_by}) {{ {grouped} }} }}"
    )
    totals = f"{{ a: {field} {{ {selection} }} }}"
    totals_twice = f"{{ a: {field} {{ {selection} }} b: {field} {{ {selection} }} }}"
    groups = gql(w, reader, one)["a"]  # also warms up (content types, permission caches)
    # The departments are loaded in one query when there are groups to show them in. What
    # the reader may see none of (legality reviews, for the public) has no groups and so
    # costs no query when grouped (Django knows "pk IN ()" is empty); its totals cost one.
    per_field, totals_cost = (0, 1) if (reader, field) in EMPTY else (2, 1)
    assert (reader, field) in EMPTY or len(groups) > 1
    assert count_queries(w, reader, two) - count_queries(w, reader, one) == per_field
    assert count_queries(w, reader, totals_twice) - count_queries(w, reader, totals) == totals_cost
    if reader == ANONYMOUS:  # nothing per request but what a trivial query costs
        trivial = count_queries(w, reader, "{ __typename }")
        assert count_queries(w, reader, one) - trivial == per_field
        assert count_queries(w, reader, totals) - trivial == totals_cost


def test_query_count_does_not_grow_with_the_groups(w):
    few = "{ enforcementActionStatistics(groupBy: [DEPARTMENT]) { department { code } count } }"
    many = """{ enforcementActionStatistics(groupBy: [DEPARTMENT, YEAR, MONTH, KIND, STATUS]) {
        department { code } year month kind status count
        fineAmount { sum avg } daysToPublication { max } } }"""
    count_queries(w, EDITOR, few)
    groups = gql(w, EDITOR, many)["enforcementActionStatistics"]
    assert len(groups) > 2 * len(gql(w, EDITOR, few)["enforcementActionStatistics"])
    assert count_queries(w, EDITOR, few) == count_queries(w, EDITOR, many)


def test_only_selected_measures_are_computed(w):
    """An unrequested measure makes no join: days to decision joins the decision."""
    query = "{ consultationStatistics(groupBy: [YEAR]) { year count %s } }"
    with CaptureQueriesContext(connection) as plain:
        gql(w, ANONYMOUS, query % "durationDays { sum }")
    with CaptureQueriesContext(connection) as joined:
        gql(w, ANONYMOUS, query % "daysToDecision { sum }")
    (plain_sql,) = [q["sql"] for q in plain.captured_queries if "GROUP BY" in q["sql"]]
    (joined_sql,) = [q["sql"] for q in joined.captured_queries if "GROUP BY" in q["sql"]]
    assert '"decided_on"' in joined_sql and '"decided_on"' not in plain_sql
    assert "SUM(" in plain_sql and "AVG(" not in plain_sql and "MAX(" not in plain_sql
    # Selected as graphql-core executes: a skipped measure is not computed either.
    with CaptureQueriesContext(connection) as skipped:
        gql(w, ANONYMOUS, query % "durationDays { sum } daysToDecision @skip(if: true) { sum }")
    (skipped_sql,) = [q["sql"] for q in skipped.captured_queries if "GROUP BY" in q["sql"]]
    assert '"decided_on"' not in skipped_sql


def test_days_are_whole_numbers_in_sql(w):
    """PostgreSQL's date - date is an integer; a datetime's date is taken in Shanghai."""
    query = """{ enforcementActionStatistics(groupBy: [DEPARTMENT], department: "fgw") {
        daysToPublication { sum min max avg count } } }"""
    (group,) = gql(w, EDITOR, query)["enforcementActionStatistics"]
    rows = [r for r in w.action_rows if r["department"] == "fgw"]
    assert group["daysToPublication"] == integer_aggregate([r["days_to_publication"] for r in rows])
    e1 = next(r for r in w.action_rows if r["fine_amount"] == Decimal("50000.00"))
    assert e1["days_to_publication"] == 5  # published 2025-03-07 17:30 UTC = 03-08 local
