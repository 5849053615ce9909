"""Who may read and write every resource of the fiscal and debt registry (the matrix of
``tests/test_permission_matrix.py`` applied to each of them), the resources' own actions
(a project's targets and funding lines, a bond's funded projects, the undisclosed counts, the
debt trend), that a draft project or debt report leaks through no public surface, and that
no list endpoint (nor the trend or the counts) issues a query per row.

The data is built once per module (``world``) inside an outer transaction; every test runs in
a savepoint that is rolled back, so each one starts from the same state and the file stays
fast."""

import base64
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fiscal.models import (
    Bond,
    BondDisclosure,
    BondProject,
    DebtReport,
    InvestmentProject,
    ProjectProgress,
    SelfEvaluation,
)
from fiscal.services import parts
from registry.models import Department
from registry.services import workflow
from tests.endpoint_entries import FISCAL_RECORDS as RESOURCES
from tests.endpoint_matrix import EndpointMatrix, route_suffix
from tests.fiscal import builders
from tests.matrix import fresh, ids
from tests.test_permission_matrix import (
    CREATE,
    EDIT_DRAFT,
    EDIT_PUBLISHED,
    ROLES,
    WITHDRAW_PUBLISHED,
)
from tests.world import (
    api_client,
    module_world,
    people_world,
)

API = "/api/v1/"
PROJECTS = f"{API}investment-projects/"
REPORTS = f"{API}debt-reports/"
BONDS = f"{API}bonds/"
ROWS = 12  # published rows per list endpoint for the query counts (more than one page of 10)

MODELS = {
    "investment-projects": InvestmentProject,
    "project-progress": ProjectProgress,
    "self-evaluations": SelfEvaluation,
    "debt-reports": DebtReport,
    "bonds": Bond,
    "bond-disclosures": BondDisclosure,
}
# Records that belong to a parent record and follow its department.
PARENT_OF = {
    "project-progress": "project",
    "self-evaluations": "project",
    "bond-disclosures": "bond",
}

WITHDRAW_BODY = {"reason": "数据有误需重新核定", "legal_basis": "《政府信息公开条例》第二十条"}
DRAFT_NAME = "璧山区未公开草稿项目（不得外泄）"
OTHER_DRAFT_NAME = "区市场监管局未公开草稿项目"
DRAFT_REPORT_YEAR = 2024  # the draft debt report's year; published reports use other years

# A debt report's figures (see ``builders.debt_report``), as the API carries them.
DEBT_FIGURES = {
    "general_limit": "8000000000.00",
    "special_limit": "12000000000.00",
    "total_limit": "20000000000.00",
    "general_balance": "7000000000.00",
    "special_balance": "11000000000.00",
    "total_balance": "18000000000.00",
    "principal_repaid": "900000000.00",
    "interest_repaid": "600000000.00",
    "general_budget_revenue": "6000000000.00",
    "fund_budget_revenue": "5000000000.00",
    "state_capital_revenue": "200000000.00",
    "transfer_revenue": "3800000000.00",
    "comprehensive_capacity": "15000000000.00",
}
# A project's targets and funding lines, and a bond's funded projects, are edits of the
# parent: on a draft as any edit of a draft (201 instead of 200); once published, members are
# refused with 400 (amend the parent instead) and outsiders with 403.
ADD_ON_DRAFT = {role: 201 if status == 200 else status for role, status in EDIT_DRAFT.items()}
ADD_ON_PUBLISHED = EDIT_PUBLISHED
PROJECT_PARTS = {
    "targets": {"kind": "cost", "indicator": "单位造价", "target_value": "≤3000", "unit": "元/㎡"},
    "funding": {"source": "fund_budget", "amount": "1000.00"},
}


# ---------------------------------------------------------------------------------------------
# The world: built once per module.


def _side(department, editor, publisher, tag):
    """A department with its people and a published (complete) project; the bond follows."""
    side = SimpleNamespace(department=department, editor=editor, publisher=publisher)
    side.project = builders.project(
        department, editor, publisher=publisher, code=f"P-{tag}", name=f"{tag}已公开项目"
    )
    return side


def _record(resource, w, *, publish, tag):
    """A record of ``resource`` of department fgw (a draft, or published)."""
    editor = w.users["editor"]
    by = w.users["publisher"] if publish else None
    if resource == "investment-projects":
        name = f"{tag}项目" if publish else DRAFT_NAME
        return builders.project(w.fgw, editor, publisher=by, code=f"P-{tag}", name=name)
    if resource == "project-progress":
        return builders.progress(w.project, editor, publisher=by)
    if resource == "self-evaluations":
        return builders.evaluation(w.project, editor, publisher=by)
    if resource == "debt-reports":
        if publish:
            return builders.debt_report(w.fgw, editor, publisher=by, year=2023)
        # a smaller capacity: 180 % where the published reports show 120 %
        return builders.debt_report(
            w.fgw,
            editor,
            year=DRAFT_REPORT_YEAR,
            general_budget_revenue=Decimal("1000000000.00"),
            comprehensive_capacity=Decimal("10000000000.00"),
        )
    if resource == "bonds":
        return builders.funding_bond(w.fgw, editor, publisher=by, code=f"B-{tag}")
    return builders.disclosure(w.bond, editor, publisher=by, year=2026 if publish else 2027)


def _build_world():
    w = people_world()
    editor, publisher = w.users["editor"], w.users["publisher"]
    other_editor, other_publisher = w.users["other_editor"], w.users["other_publisher"]

    # Published projects of both departments, and the other department's draft project.
    w.fgw_side = _side(w.fgw, editor, publisher, "fgw")
    w.other = _side(w.scjgj, other_editor, other_publisher, "scjgj")
    w.project = w.fgw_side.project
    w.other.draft_project = builders.project(
        w.scjgj, other_editor, code="P-scjgj-draft", name=OTHER_DRAFT_NAME
    )
    # fgw's draft project (the permission matrix and the leak checks) ...
    w.drafts = {"investment-projects": _record("investment-projects", w, publish=False, tag="d")}
    w.hidden = w.drafts["investment-projects"]
    # ... funded by a published bond next to a published project, with a published progress
    # update (not public: its project is not).
    w.bond = w.fgw_side.bond = builders.funding_bond(
        w.fgw, editor, publisher=publisher, code="B-fgw", projects=[w.project, w.hidden]
    )
    w.other.bond = builders.funding_bond(
        w.scjgj, other_editor, publisher=other_publisher, code="B-scjgj", projects=[w.other.project]
    )
    w.hidden_progress = builders.progress(
        w.hidden, editor, publisher=publisher, name="草稿项目的进展"
    )

    # One draft and one published record of fgw per resource (the permission matrix).
    for resource in RESOURCES[1:]:
        w.drafts[resource] = _record(resource, w, publish=False, tag="draft")
    w.published = {r: _record(r, w, publish=True, tag="published") for r in RESOURCES}

    # Rows for the query counts: ROWS published records per list endpoint, of both
    # departments; projects with targets and funding, bonds with a funded project and an
    # annual disclosure (which are the bond disclosures' rows).
    sides = [w.fgw_side, w.other]
    w.pool = {r: [] for r in RESOURCES}
    for i in range(ROWS):
        side = sides[i % 2]
        by, pub = side.editor, side.publisher
        project = builders.project(
            side.department, by, publisher=pub, code=f"P-pool-{i}", name=f"列表项目{i}"
        )
        w.pool["investment-projects"].append(project)
        w.pool["project-progress"].append(builders.progress(project, by, publisher=pub))
        w.pool["self-evaluations"].append(builders.evaluation(project, by, publisher=pub))
        w.pool["debt-reports"].append(
            builders.debt_report(side.department, by, publisher=pub, year=2000 + i)
        )
        bond = builders.funding_bond(
            side.department, by, publisher=pub, code=f"B-pool-{i}", projects=[project, side.project]
        )
        w.pool["bonds"].append(bond)
        w.pool["bond-disclosures"].append(builders.disclosure(bond, by, publisher=pub))
    return w


world = module_world(_build_world)


@pytest.fixture
def w(world, db):
    """The module's data; the test runs in a savepoint that is rolled back afterwards."""
    return world


def client(w, role):
    return api_client(w.tokens.get(role))


def gql(api, query):
    response = api.post("/graphql/", {"query": query}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def node_id(type_name, pk):
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


# ---------------------------------------------------------------------------------------------
# 1. The permission matrix of every resource.


class TestEndpointMatrix(EndpointMatrix):
    """Every endpoint of the fiscal registry, as tests/endpoint_entries.py says."""

    suite = "fiscal"

    def body(self, w, key, obj):
        name, method = key
        resource, action = route_suffix(name)
        if name == "debt-reports-trend":
            return {"indicator": "total_balance"}
        if method == "GET":
            return None
        if (action, method) in (("list", "POST"), ("detail", "PUT")):
            return create_body(w, resource)
        if method == "PATCH":
            return {"summary": "x"}
        if action in PROJECT_PARTS:
            return PROJECT_PARTS[action]
        return {
            "withdraw": WITHDRAW_BODY,
            "amend": {"reason": "更正错字", "summary": "更正"},
            "projects": {"project": w.published["investment-projects"].pk, "amount": "350000.00"},
        }.get(action)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("resource", RESOURCES)
def test_write_published(w, resource, role):
    """A published record is public, so outsiders are refused with 403 (not 404); members
    must amend rather than edit it; only publishers withdraw it."""
    record = w.published[resource]
    url = f"{API}{resource}/{record.pk}/"
    assert client(w, role).get(url).status_code == 200
    response = client(w, role).patch(url, {"summary": "x"}, format="json")
    assert response.status_code == EDIT_PUBLISHED[role], response.content
    assert fresh(record).summary != "x"
    response = client(w, role).post(f"{url}withdraw/", WITHDRAW_BODY, format="json")
    assert response.status_code == WITHDRAW_PUBLISHED[role], response.content
    assert (fresh(record).status == "withdrawn") == (WITHDRAW_PUBLISHED[role] == 200)


def create_body(w, resource, *, side=None):
    """A valid body for ``POST`` of ``resource`` in fgw (or ``side``'s department). For the
    records with a parent, the department in the body is ignored: it follows the parent."""
    side = side or w.fgw_side
    base = {"name": "新记录", "date_made": "2026-03-01", "department": side.department.code}
    if resource == "investment-projects":
        return {
            **base,
            "project_code": "P-new",
            "category": "school",
            "year": 2026,
            "total_investment": "350000.00",
        }
    if resource == "debt-reports":
        return {**base, "year": 1999, "reporting_point": "budget", **DEBT_FIGURES}
    if resource == "bonds":
        return {
            **base,
            "code": "B-new",
            "bond_type": "general",
            "purpose": "new",
            "amount": "100000000.00",
            "term_years": 5,
            "coupon_rate": "2.1000",
            "issue_date": "2026-03-01",
            "maturity_date": "2031-03-01",
            "interest_schedule": "按年付息，到期还本",
            "use_of_proceeds": "学校建设",
        }
    base["department"] = "scjgj" if side is w.fgw_side else "fgw"
    if resource == "project-progress":
        return {**base, "project": side.project.pk, "progress_percent": 50, "amount_spent": "1.00"}
    if resource == "self-evaluations":
        return {
            **base,
            "project": side.project.pk,
            "evaluation_year": 2026,
            "score": "90.00",
            "results": [{"target": side.project.targets.first().pk, "actual": "1300"}],
        }
    return {**base, "bond": side.bond.pk, "kind": "payment", "period_year": 2026, "amount": "1.00"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("resource", RESOURCES)
def test_create(w, resource, role):
    """Creating in fgw (for the records with a parent: on a parent of fgw): only fgw's editor
    (and superusers); the other department's editor is refused with 403."""
    model = MODELS[resource]
    before = model.objects.count()
    response = client(w, role).post(f"{API}{resource}/", create_body(w, resource), format="json")
    assert response.status_code == CREATE[role], response.content
    assert model.objects.count() == before + (CREATE[role] == 201)
    if response.status_code == 201:
        assert response.json()["status"] == "draft"
        assert response.json()["department"] == "fgw"


@pytest.mark.parametrize("resource", list(PARENT_OF))
def test_the_department_follows_the_parent(w, resource):
    """On the other department's project or bond, its own editor creates (for that
    department) and fgw's editor is refused."""
    body = create_body(w, resource, side=w.other)
    response = client(w, "editor").post(f"{API}{resource}/", body, format="json")
    assert response.status_code == 403, response.content
    response = client(w, "other_editor").post(f"{API}{resource}/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["department"] == "scjgj"
    assert fresh(MODELS[resource](pk=response.json()["id"])).department_id == w.scjgj.pk


@pytest.mark.parametrize("resource", list(PARENT_OF))
def test_records_on_a_hidden_parent_are_refused_as_nonexistent(w, resource):
    field = PARENT_OF[resource]
    hidden = w.hidden if field == "project" else w.drafts["bonds"]
    body = {**create_body(w, resource, side=w.other), field: hidden.pk}
    response = client(w, "other_editor").post(f"{API}{resource}/", body, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == {field}


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_draft_cannot_be_moved_to_another_department(w, resource):
    """fgw's editor may not move a draft into another department: neither directly nor by
    attaching it to the other department's project or bond."""
    draft = w.drafts[resource]
    field = PARENT_OF.get(resource)
    change = {field: getattr(w.other, field).pk} if field else {"department": "scjgj"}
    response = client(w, "editor").patch(f"{API}{resource}/{draft.pk}/", change, format="json")
    assert response.status_code == 403, response.content
    assert fresh(draft).department_id == w.fgw.pk


# ---------------------------------------------------------------------------------------------
# 2. The resources' own actions.


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("part", list(PROJECT_PARTS))
def test_project_targets_and_funding(w, part, role):
    """Targets and funding lines are added by the department's editor while the project is a
    draft; once it is published they change only through ``amend`` (400)."""
    for project, table in (
        (w.hidden, ADD_ON_DRAFT),
        (w.published["investment-projects"], ADD_ON_PUBLISHED),
    ):
        before = getattr(project, part).count()
        response = client(w, role).post(
            f"{PROJECTS}{project.pk}/{part}/", PROJECT_PARTS[part], format="json"
        )
        assert response.status_code == table[role], (project.status, response.content)
        assert getattr(project, part).count() == before + (table[role] == 201)
        if table[role] == 201 and part == "targets":
            assert response.json()["level"] == "output"  # cost is an output indicator


@pytest.mark.parametrize("role", ROLES)
def test_bond_projects(w, role):
    """A bond's funded projects are added by the department's editor while the bond is a
    draft; once it is published, 400 for members and 403 for outsiders."""
    project = w.published["investment-projects"]  # public, funded by no bond yet
    body = {"project": project.pk, "amount": "350000.00"}
    for bond, table in ((w.drafts["bonds"], ADD_ON_DRAFT), (w.bond, ADD_ON_PUBLISHED)):
        response = client(w, role).post(f"{BONDS}{bond.pk}/projects/", body, format="json")
        assert response.status_code == table[role], (bond.status, response.content)
        funded = BondProject.objects.filter(bond=bond, project=project).exists()
        assert funded == (table[role] == 201)
        if table[role] == 201:
            assert response.json()["project_name"] == project.name


@pytest.mark.parametrize(
    "project, status",
    [
        ("own_draft", 201),
        ("other_published", 201),
        ("other_draft", 400),
        ("missing", 400),
    ],
)
def test_a_bond_funds_only_projects_the_editor_may_see(w, project, status):
    """The project must be visible to the editor: another department's draft is refused as
    nonexistent (400 on ``project``), so its existence is not revealed."""
    pk = {
        "own_draft": w.hidden.pk,
        "other_published": w.other.project.pk,
        "other_draft": w.other.draft_project.pk,
        "missing": 10**9,
    }[project]
    bond = w.drafts["bonds"]
    response = client(w, "editor").post(
        f"{BONDS}{bond.pk}/projects/", {"project": pk, "amount": "1.00"}, format="json"
    )
    assert response.status_code == status, response.content
    assert BondProject.objects.filter(bond=bond, project_id=pk).exists() == (status == 201)
    if status == 400:
        assert set(response.json()["errors"]) == {"project"}
        assert OTHER_DRAFT_NAME not in response.content.decode()


def expected_undisclosed():
    rows = {}
    for project in InvestmentProject.objects.filter(disclosure_required=True).select_related(
        "department"
    ):
        row = rows.setdefault(
            project.department.code,
            {
                "department": project.department.code,
                "department_name": project.department.name_zh,
                "required": 0,
                "undisclosed": 0,
            },
        )
        row["required"] += 1
        row["undisclosed"] += project.status != "published"
    return [rows[code] for code in sorted(rows)]


@pytest.mark.parametrize("role", ROLES)
def test_undisclosed_counts_are_public_and_the_same_for_everyone(w, role):
    response = client(w, role).get(f"{PROJECTS}undisclosed/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == expected_undisclosed()
    fgw = body[0]
    assert fgw["department"] == "fgw" and fgw["undisclosed"] == 1  # the draft project
    assert DRAFT_NAME not in response.content.decode()


def trend(api, **params):
    response = api.get(f"{REPORTS}trend/", {"indicator": "debt_ratio", **params})
    assert response.status_code == 200, response.content
    return response.json()


def published_series(**filters):
    reports = DebtReport.objects.filter(
        status="published", reporting_point="final_accounts", **filters
    )
    return [
        {"year": r.year, "reporting_point": "final_accounts", "value": str(r.debt_ratio)}
        for r in reports.order_by("year")
    ]


@pytest.mark.parametrize("role", ROLES)
def test_trend_shows_published_reports_only(w, role):
    """The trend is a public chart: the same for everyone, made of published reports only —
    a draft (or withdrawn) report does not change it, whoever asks."""
    api = client(w, role)
    draft = w.drafts["debt-reports"]
    assert draft.debt_ratio == Decimal("180.0000")  # it would stand out
    withdrawn = workflow.withdraw(
        w.pool["debt-reports"][0],
        acting_user=w.users["publisher"],
        reason=WITHDRAW_BODY["reason"],
        legal_basis=WITHDRAW_BODY["legal_basis"],
    )
    series = trend(api)
    years = [point["year"] for point in series]
    leaked = {DRAFT_REPORT_YEAR: "draft", withdrawn.year: "withdrawn"}
    assert [(y, leaked[y]) for y in years if y in leaked] == [], (role, series[0], series[-1])
    assert series == published_series(), role
    assert trend(api, department="fgw") == published_series(department__code="fgw")
    anonymous = trend(client(w, "anonymous"))
    assert series == anonymous


# ---------------------------------------------------------------------------------------------
# 3. A draft project leaks nowhere.


def test_a_draft_project_is_not_public_anywhere(w):
    api = client(w, "anonymous")
    pk = w.hidden.pk
    texts = []
    for url in (
        f"{PROJECTS}{pk}/",
        f"{PROJECTS}{pk}/history/",
        f"{API}project-progress/{w.hidden_progress.pk}/",
    ):
        response = api.get(url)
        assert response.status_code == 404, (url, response.content)
        texts.append(response.content.decode())
    for resource in RESOURCES:
        response = api.get(f"{API}{resource}/", {"page_size": 500})
        assert response.status_code == 200, response.content
        texts.append(response.content.decode())
        if resource == "investment-projects":
            assert pk not in ids(response)
        if resource == "project-progress":
            assert w.hidden_progress.pk not in ids(response)
    bond = api.get(f"{BONDS}{w.bond.pk}/")
    assert [a["project"] for a in bond.json()["allocations"]] == [w.project.pk]
    texts.append(bond.content.decode())
    undisclosed = api.get(f"{PROJECTS}undisclosed/")
    assert {key for row in undisclosed.json() for key in row} == {
        "department",
        "department_name",
        "required",
        "undisclosed",
    }
    texts.append(undisclosed.content.decode())
    data = gql(
        api,
        """{ investmentProjects { edges { node { name projectCode } } }
            bonds { edges { node { code allocations { edges { node { amount
                project { name projectCode } } } } } } }
            projectProgress { edges { node { name project { name } } } }
            bondDisclosures { edges { node { bond { name } } } } }""",
    )
    names = [e["node"]["name"] for e in data["investmentProjects"]["edges"]]
    assert w.project.name in names and DRAFT_NAME not in names
    allocations = {
        e["node"]["code"]: [a["node"]["project"]["name"] for a in e["node"]["allocations"]["edges"]]
        for e in data["bonds"]["edges"]
    }
    assert allocations[w.bond.code] == [w.project.name]
    texts.append(str(data))
    node = gql(api, f'{{ node(id: "{node_id("InvestmentProject", pk)}") {{ id }} }}')
    assert node == {"node": None}
    for text in texts:
        assert DRAFT_NAME not in text
        assert w.hidden.project_code not in text
    # The department sees its draft everywhere (the checks above are not vacuous).
    editor = client(w, "editor")
    assert DRAFT_NAME in editor.get(f"{BONDS}{w.bond.pk}/").content.decode()
    assert DRAFT_NAME in str(
        gql(
            editor,
            "{ bonds { edges { node { allocations { edges { node { project { name } } } } } } } }",
        )
    )


@pytest.mark.parametrize("surface", ["rest", "graphql"])
def test_an_allocation_names_a_project_only_to_who_may_see_it(w, surface):
    """A bond's department sees the bond's allocations, but not another department's draft
    project it funds (allocated by a superuser, who sees both): the allocation is left out,
    as for the public, instead of naming the project (REST) or failing the query (GraphQL)."""
    bond = w.drafts["bonds"]
    parts.add_part(
        bond,
        BondProject,
        acting_user=w.users["superuser"],
        project=w.other.draft_project,
        amount=Decimal("1.00"),
    )
    editor = client(w, "editor")
    assert editor.get(f"{PROJECTS}{w.other.draft_project.pk}/").status_code == 404
    if surface == "rest":
        detail = editor.get(f"{BONDS}{bond.pk}/")
        listed = editor.get(BONDS, {"status": "draft"})
        assert OTHER_DRAFT_NAME not in detail.content.decode() + listed.content.decode()
        assert detail.json()["allocations"] == []
        return
    response = editor.post(
        "/graphql/",
        {
            "query": """{ bonds(status: "draft") { edges { node { code allocations { edges {
                node { amount project { name } } } } } } } }"""
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert OTHER_DRAFT_NAME not in response.content.decode()
    body = response.json()
    assert "errors" not in body, body
    assert body["data"]["bonds"]["edges"][0]["node"]["allocations"]["edges"] == []


# ---------------------------------------------------------------------------------------------
# 4. Query counts: the number of queries does not grow with the page (or the rows).


def count_queries(api, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url, params)
    assert response.status_code == 200, response.content
    data = response.json()
    return len(queries), data["results"] if isinstance(data, dict) else data


@pytest.mark.parametrize("role", ["anonymous", "editor"])
@pytest.mark.parametrize("resource", RESOURCES)
def test_list_queries_do_not_grow_with_the_page(w, resource, role):
    api = client(w, role)
    url = f"{API}{resource}/"
    api.get(url, {"page_size": 1})  # warm up (content types, permissions caches)
    one, first = count_queries(api, url, {"page_size": 1})
    ten, tenth = count_queries(api, url, {"page_size": 10})
    print(f"\nQUERIES {resource} {role}: page_size=1 -> {one}, page_size=10 -> {ten}")
    assert (len(first), len(tenth)) == (1, 10)
    if resource == "investment-projects":
        assert all(row["targets"] and row["funding"] for row in tenth)
    if resource == "bonds":
        assert all(row["allocations"] for row in tenth)
    assert one == ten, (resource, role, one, ten)


@pytest.mark.parametrize("role", ["anonymous", "editor"])
def test_trend_queries_do_not_grow_with_the_rows(w, role):
    api = client(w, role)
    url = f"{REPORTS}trend/"
    params = {"indicator": "debt_ratio"}
    api.get(url, params)  # warm up
    many, rows = count_queries(api, url, params)
    assert len(rows) >= ROWS
    keep = w.pool["debt-reports"][0]
    DebtReport.objects.filter(reporting_point="final_accounts").exclude(pk=keep.pk).update(
        reporting_point="budget"
    )
    one, rows = count_queries(api, url, params)
    assert [row["year"] for row in rows] == [keep.year]
    print(f"\nQUERIES trend {role}: 1 row -> {one}, {ROWS}+ rows -> {many}")
    assert one == many, (role, one, many)


@pytest.mark.parametrize("role", ["anonymous", "editor"])
def test_undisclosed_queries_do_not_grow_with_the_rows(w, role):
    api = client(w, role)
    url = f"{PROJECTS}undisclosed/"
    api.get(url)  # warm up
    few, rows = count_queries(api, url)
    assert len(rows) == 2
    for i, project in enumerate(w.pool["investment-projects"]):
        department = Department.objects.create(
            code=f"d{i}", name_zh=f"部门{i}", name_en=f"Department {i}", kind="department"
        )
        InvestmentProject.objects.filter(pk=project.pk).update(department=department)
    many, rows = count_queries(api, url)
    assert len(rows) == 2 + ROWS
    print(f"\nQUERIES undisclosed {role}: 2 rows -> {few}, {2 + ROWS} rows -> {many}")
    assert few == many, (role, few, many)
