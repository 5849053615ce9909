"""The researchers' example queries (``api_docs/graphql_examples/*.graphql``, explained in
``docs/research.md`` and opened by GraphiQL as tabs).

The demo data set is loaded once for the module. Every example runs over GET and POST as an
anonymous reader without errors, its answers are non-empty exactly where the demo data has
public rows, and the statistics answers equal figures computed here in Python from the ORM
(never with the SQL under test). Every example appears verbatim in ``docs/research.md`` and
in the GraphiQL page."""

import datetime
import io
import json
import re
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Q
from graphql_relay import to_global_id
from rest_framework.authtoken.models import Token

from decisions.models import Consultation, Decision, LegalityReview
from enforcement.models import EnforcementAction
from fiscal.models import DebtReport, InvestmentProject
from registry.models import Department
from tests.world import api_client, module_world

pytestmark = pytest.mark.xdist_group("research_examples")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = {
    path.stem: path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "api_docs" / "graphql_examples").glob("*.graphql"))
}
RESEARCH_DOC = ROOT / "docs" / "research.md"
GRAPHQL = "/graphql/"


def build():
    from registry.demo import load_all

    load_all(io.StringIO())
    oversight = get_user_model().objects.get(username="oversight")
    return SimpleNamespace(oversight=Token.objects.get_or_create(user=oversight)[0].key)


world = module_world(build)


@pytest.fixture
def w(world, db):
    """The module's data; each test runs in a savepoint rolled back afterwards."""
    return world


def run(query, method="POST", token=None, variables=None):
    """``query``'s data over ``method``; fails on any error."""
    client = api_client(token)
    if method == "GET":
        params = {"query": query}
        if variables is not None:
            params["variables"] = json.dumps(variables)
        response = client.get(GRAPHQL, params, HTTP_ACCEPT="application/json")
    else:
        response = client.post(GRAPHQL, {"query": query, "variables": variables}, format="json")
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]


def at(data, path):
    for key in path.split("."):
        data = data[key]
    return data


def rounded(value, places):
    """``value`` rounded half away from zero, as PostgreSQL's ROUND does."""
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def money(value):
    return None if value is None else str(rounded(value, 2))


# --------------------------------------------------------------------------------------------
# Every example, as the public sees it


def public_shortened():
    return Consultation.objects.public().exclude(shortening_reason="")


def public_penalties():
    return EnforcementAction.objects.public().filter(kind="penalty")


# For each example: each answer (a path into the data) and the public rows it reports, so
# the answer must be non-empty exactly when the demo data has such rows.
ANSWERS = {
    "01-shortened-consultations": {
        "byYear": Consultation.objects.public,
        "reasons": public_shortened,
        "consultations.nodes": public_shortened,
    },
    # Legality reviews are internal: nothing is public (see test_legality_review_duration).
    "02-legality-review-duration": {"legalityReviewStatistics": LegalityReview.objects.public},
    "03-penalties-by-department-year": {"enforcementActionStatistics": public_penalties},
    "04-undisclosed-investment-projects": {
        "investmentProjectStatistics": lambda: InvestmentProject.objects.public().filter(
            disclosure_required=True
        ),
        "investmentProjects.nodes": lambda: InvestmentProject.objects.public().filter(
            disclosure_required=True
        ),
    },
    "05-debt-ratio-trend": {
        "debtReportStatistics": lambda: DebtReport.objects.public().filter(
            reporting_point="final_accounts"
        ),
        "debtReports.nodes": DebtReport.objects.public,
    },
    "06-paging-with-cursors": {"enforcementActions.edges": public_penalties},
    "07-department-records": {"departments.nodes": Department.objects.all},
    "08-decision-consultations-comments": {"decisions.nodes": Decision.objects.public},
    "09-nodes-by-id": {"nodes": Department.objects.all},  # four ids: a list of four
    "10-filters-shared-with-rest": {
        "enforcementActions.nodes": lambda: public_penalties().filter(
            department__code="scjgj",
            party_kind="legal_person",
            decision_date__range=(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),
        ),
    },
}


def test_every_example_has_its_expectations():
    assert sorted(EXAMPLES) == sorted(ANSWERS)
    for name, text in EXAMPLES.items():
        assert re.fullmatch(r"\d\d-[a-z0-9-]+", name), name
        first = text.splitlines()[0]
        assert first.startswith("# ") and " / " in first, f"{name}: {first!r}"
        assert re.search(r"[\u4e00-\u9fff]", first), f"{name}: no Chinese question"


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_example_answers_over_get_and_post(w, name):
    answers = {method: run(EXAMPLES[name], method) for method in ("GET", "POST")}
    assert answers["GET"] == answers["POST"]
    for path, rows in ANSWERS[name].items():
        found = at(answers["POST"], path)
        assert bool(found) == rows().exists(), (path, found)


def test_examples_fit_the_limits(w, settings):
    limits = settings.GRAPHQL_LIMITS
    for name, text in EXAMPLES.items():
        body = api_client().post(GRAPHQL, {"query": text}, format="json").json()
        assert "errors" not in body, (name, body)
        assert body["extensions"]["cost"] == {
            "requested": body["extensions"]["cost"]["requested"],
            "limit": limits["max_cost"],
        }
        assert body["extensions"]["cost"]["requested"] <= limits["max_cost"], name
        assert len(text) <= limits["max_query_chars"], name


# --------------------------------------------------------------------------------------------
# The statistics answers against the ORM


def test_shortened_consultations(w):
    data = run(EXAMPLES["01-shortened-consultations"])
    public = list(Consultation.objects.public().select_related("department"))
    assert public_shortened().exists()  # the demo data has one

    by_year = defaultdict(list)
    for consultation in public:
        key = (consultation.opens_on.year, bool(consultation.shortening_reason))
        by_year[key].append((consultation.closes_on - consultation.opens_on).days)
    expected = {
        key: (len(days), min(days), max(days), float(rounded(Decimal(sum(days)) / len(days), 1)))
        for key, days in by_year.items()
    }
    got = {
        (g["year"], g["shortened"]): (
            g["count"],
            g["durationDays"]["min"],
            g["durationDays"]["max"],
            g["durationDays"]["avg"],
        )
        for g in data["byYear"]
    }
    assert got == expected

    reasons = Counter(
        (c.department.code, c.shortening_reason) for c in public if c.shortening_reason
    )
    assert {
        (g["department"]["code"], g["shorteningReason"]): g["count"] for g in data["reasons"]
    } == reasons
    assert data["consultations"]["totalCount"] == sum(reasons.values())
    assert {n["indexNumber"] for n in data["consultations"]["nodes"]} == {
        c.index_number for c in public if c.shortening_reason
    }


def test_penalties_by_department_and_year(w):
    data = run(EXAMPLES["03-penalties-by-department-year"], "GET")
    groups = defaultdict(list)
    for action in public_penalties().select_related("department"):
        groups[(action.department.code, action.decision_date.year)].append(action)
    assert len(groups) > 1
    expected = {}
    for key, actions in groups.items():
        fines = [a.fine_amount for a in actions if a.fine_amount is not None]
        confiscations = [
            a.confiscation_amount for a in actions if a.confiscation_amount is not None
        ]
        expected[key] = {
            "count": len(actions),
            "fineAmount": {
                "sum": money(sum(fines)) if fines else None,
                "max": money(max(fines)) if fines else None,
                "avg": money(sum(fines) / len(fines)) if fines else None,
                "count": len(fines),
            },
            "confiscationAmount": {
                "sum": money(sum(confiscations)) if confiscations else None,
                "count": len(confiscations),
            },
        }
    got = {
        (g["department"]["code"], g["year"]): {
            "count": g["count"],
            "fineAmount": g["fineAmount"],
            "confiscationAmount": g["confiscationAmount"],
        }
        for g in data["enforcementActionStatistics"]
    }
    assert got == expected
    # Groups come by department (its id), then year.
    ids = {d.code: d.pk for d in Department.objects.all()}
    keys = [(ids[g["department"]["code"]], g["year"]) for g in data["enforcementActionStatistics"]]
    assert keys == sorted(keys)


def test_legality_review_duration(w):
    query = EXAMPLES["02-legality-review-duration"]
    assert run(query) == {"legalityReviewStatistics": [], "stillUnderReview": [{"count": 0}]}

    data = run(query, token=w.oversight)
    completed = defaultdict(list)
    for review in LegalityReview.objects.filter(completed_on__isnull=False):
        key = (review.started_on.year, review.result.upper() or None)
        completed[key].append(review)
    assert completed  # the demo data has completed reviews

    def aggregate(values):
        return {
            "min": min(values),
            "max": max(values),
            "avg": float(rounded(Decimal(sum(values)) / len(values), 1)),
        }

    expected = {
        key: {
            "count": len(reviews),
            "workingDays": aggregate([r.working_days for r in reviews]),
            "calendarDays": aggregate([(r.completed_on - r.started_on).days for r in reviews]),
        }
        for key, reviews in completed.items()
    }
    got = {
        (g["year"], g["result"]): {
            "count": g["count"],
            "workingDays": g["workingDays"],
            "calendarDays": g["calendarDays"],
        }
        for g in data["legalityReviewStatistics"]
    }
    assert got == expected
    under_review = LegalityReview.objects.filter(completed_on__isnull=True).count()
    assert data["stillUnderReview"] == [{"count": under_review}]


def test_undisclosed_investment_projects(w):
    """The public sees published projects only; oversight sees every project, and its
    unpublished groups are the REST undisclosed counts."""
    query = EXAMPLES["04-undisclosed-investment-projects"]
    public = run(query)
    groups = public["investmentProjectStatistics"]
    assert groups and {g["status"] for g in groups} == {"PUBLISHED"}
    assert sum(g["count"] for g in groups) == (
        InvestmentProject.objects.public().filter(disclosure_required=True).count()
    )

    oversight = run(query, token=w.oversight)
    required, undisclosed = Counter(), Counter()
    for group in oversight["investmentProjectStatistics"]:
        code = group["department"]["code"]
        required[code] += group["count"]
        if group["status"] != "PUBLISHED":
            undisclosed[code] += group["count"]
    assert sum(undisclosed.values()) > 0  # the demo data has undisclosed projects
    rest = api_client().get("/api/v1/investment-projects/undisclosed/").json()
    assert {row["department"]: (row["required"], row["undisclosed"]) for row in rest} == {
        code: (count, undisclosed[code]) for code, count in required.items()
    }
    orm = InvestmentProject.objects.filter(disclosure_required=True)
    assert oversight["investmentProjects"]["totalCount"] == orm.count()
    assert sum(undisclosed.values()) == orm.filter(~Q(status="published")).count()


def test_debt_ratio_trend(w):
    data = run(EXAMPLES["05-debt-ratio-trend"])
    reports = defaultdict(list)
    for report in DebtReport.objects.public().filter(reporting_point="final_accounts"):
        reports[report.year].append(report)
    expected = [
        {
            "year": year,
            "count": len(rows),
            "debtRatio": {
                "min": str(min(r.debt_ratio for r in rows)),
                "max": str(max(r.debt_ratio for r in rows)),
            },
            "debtServiceRatio": {
                "min": str(min(r.debt_service_ratio for r in rows)),
                "max": str(max(r.debt_service_ratio for r in rows)),
            },
            "totalBalance": {"sum": money(sum(r.total_balance for r in rows))},
        }
        for year, rows in sorted(reports.items())
    ]
    assert len(expected) > 1
    assert data["debtReportStatistics"] == expected


# --------------------------------------------------------------------------------------------
# Paging, node lookups, shared filters


def test_paging_through_every_penalty(w):
    query = EXAMPLES["06-paging-with-cursors"]
    seen, after, pages = [], None, 0
    while True:
        page = run(query, variables={"after": after})["enforcementActions"]
        pages += 1
        seen += [edge["node"]["id"] for edge in page["edges"]]
        assert page["totalCount"] == public_penalties().count()
        if not page["pageInfo"]["hasNextPage"]:
            break
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]
        after = page["pageInfo"]["endCursor"]
    expected = [
        to_global_id("EnforcementAction", pk)
        for pk in public_penalties().order_by("-pk").values_list("pk", flat=True)
    ]
    assert seen == expected
    assert pages == -(-len(expected) // 50)


def test_nodes_by_id(w):
    decision = Decision.objects.public().order_by("pk").first()
    action = public_penalties().order_by("pk").first()
    project = InvestmentProject.objects.public().order_by("pk").first()
    department = Department.objects.get(code="qzfb")
    hidden = InvestmentProject.objects.exclude(
        pk__in=InvestmentProject.objects.public().values("pk")
    ).first()
    ids = [
        to_global_id("Department", department.pk),
        to_global_id("Decision", decision.pk),
        to_global_id("EnforcementAction", action.pk),
        to_global_id("InvestmentProject", project.pk),
        to_global_id("InvestmentProject", hidden.pk),
    ]
    nodes = run(EXAMPLES["09-nodes-by-id"], "GET", variables={"ids": ids})["nodes"]
    assert [node and node["id"] for node in nodes] == [*ids[:4], None]
    assert nodes[0]["code"] == "qzfb"
    assert nodes[1]["name"] == decision.name
    assert nodes[2]["documentNumber"] == action.document_number
    assert nodes[3]["totalInvestment"] == str(project.total_investment)
    with_token = run(EXAMPLES["09-nodes-by-id"], token=w.oversight, variables={"ids": ids})
    assert with_token["nodes"][4]["name"] == hidden.name


def test_filters_are_the_rest_filters(w):
    data = run(EXAMPLES["10-filters-shared-with-rest"])
    rest = api_client().get(
        "/api/v1/enforcement-actions/",
        {
            "department": "scjgj",
            "kind": "penalty",
            "party_kind": "legal_person",
            "decision_date_after": "2025-01-01",
            "decision_date_before": "2025-12-31",
            "page_size": 500,
        },
    )
    assert rest.status_code == 200, rest.content
    rows = rest.json()["results"]
    assert [n["documentNumber"] for n in data["enforcementActions"]["nodes"]] == [
        row["document_number"] for row in rows
    ]
    assert data["enforcementActions"]["totalCount"] == len(rows)
    fines = [Decimal(row["fine_amount"]) for row in rows if row["fine_amount"] is not None]
    assert data["enforcementActionStatistics"] == [
        {"count": len(rows), "fineAmount": {"sum": money(sum(fines)) if fines else None}}
    ]


def test_get_answers_carry_an_etag(w):
    client = api_client()
    params = {"query": EXAMPLES["03-penalties-by-department-year"]}
    first = client.get(GRAPHQL, params, HTTP_ACCEPT="application/json")
    assert first.status_code == 200 and first["ETag"]
    assert first["Cache-Control"] == "public, max-age=60"
    again = client.get(
        GRAPHQL, params, HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert again.status_code == 304


# --------------------------------------------------------------------------------------------
# The documentation and GraphiQL


def test_every_example_is_in_the_research_doc():
    doc = RESEARCH_DOC.read_text(encoding="utf-8")
    for name, text in EXAMPLES.items():
        assert text.strip() in doc, f"{name}.graphql is not in docs/research.md verbatim"
        assert f"{name}.graphql" in doc, name


def test_readme_links_the_research_doc():
    assert "docs/research.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_graphiql_opens_one_tab_per_example(w):
    response = api_client().get(GRAPHQL, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    match = re.search(
        r'<script id="graphiql-examples" type="application/json">(.*?)</script>', page, re.S
    )
    assert match, "no example data in the GraphiQL page"
    assert "<" not in match.group(1)  # json_script escapes markup
    tabs = json.loads(match.group(1))
    assert [tab["query"] for tab in tabs] == list(EXAMPLES.values())
    assert "http://" not in page and "https://" not in page  # no CDN
