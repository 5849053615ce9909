"""GraphQL relay connections (``registry.graphql.connections``): keyset pages that walk every
row exactly once in the REST list's order, forwards and backwards, unmoved by rows published
while a client pages; an exact ``totalCount`` that costs a ``COUNT`` only when asked; the
``updatedSince`` ordering of incremental sync; errors that name the argument; nested
connections paged and counted per parent; relations navigable both ways through the
permission path; and ``nodes(ids: [...])``.

The data is built once per module (``world``) inside an outer transaction; every test runs in
a savepoint that is rolled back."""

import datetime
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from graphql_relay import from_global_id, to_global_id

from enforcement.models import EnforcementAction
from registry.services import workflow
from registry.services.roles import grant_role
from tests.decisions import builders as decision_builders
from tests.enforcement import builders as enforcement_builders
from tests.fiscal import builders as fiscal_builders
from tests.world import api_client, create_user, module_world, people_world

pytestmark = pytest.mark.xdist_group("graphql_connections")

API = "/api/v1/"
PAGE_ARGS = "$first: Int, $after: String, $last: Int, $before: String"
PAGING = "first: $first, after: $after, last: $last, before: $before"

# Public enforcement actions per enforcement body (the fgw bodies ``b1`` and ``b2``, the
# scjgj body ``b3``): 12 in all, 10 of them fgw's.
ACTIONS_PER_BODY = {"b1": 7, "b2": 3, "b3": 2}
# Consultations per decision (``d1`` … ``d3``, all fgw's); one of ``d1``'s is shortened.
CONSULTATIONS_PER_DECISION = {"d1": 4, "d2": 3, "d3": 1}


def _build_world():
    w = people_world()
    w.start = timezone.now()
    users = w.users
    editor, publisher = users["editor"], users["publisher"]
    other_editor, other_publisher = users["other_editor"], users["other_publisher"]

    # Enforcement: three bodies; b1's actions include two inspections and one taken under a
    # power still in draft (the action is public, its power is not); one draft action and
    # one withheld action of fgw.
    w.b1 = enforcement_builders.body(w.fgw, editor, publisher=publisher, name="执法主体一")
    w.b2 = enforcement_builders.body(w.fgw, editor, publisher=publisher, name="执法主体二")
    w.b3 = enforcement_builders.body(
        w.scjgj, other_editor, publisher=other_publisher, name="执法主体三"
    )
    p1 = enforcement_builders.power(w.b1, editor, publisher=publisher, code="330201")
    p2 = enforcement_builders.power(w.b2, editor, publisher=publisher, code="330202")
    p3 = enforcement_builders.power(w.b3, other_editor, publisher=other_publisher, code="330203")
    w.draft_power = enforcement_builders.power(w.b1, editor, code="330299")
    inspection = {
        "kind": "inspection",
        "penalty_types": [],
        "severity": "",
        "fine_amount": None,
        "confiscation_amount": None,
    }
    numbers = iter(range(1, 100))

    def action(power, by, pub, **fields):
        return enforcement_builders.penalty(
            power, by, publisher=pub, document_number=f"璧罚〔2026〕{next(numbers)}号", **fields
        )

    # Created interleaved across bodies, so that a body's rows are not contiguous ids.
    w.actions = []
    plan = [
        (p1, {}),
        (p2, {}),
        (p1, inspection),
        (p3, {}),
        (p1, {}),
        (p2, inspection),
        (w.draft_power, {}),
        (p1, {}),
        (p3, {}),
        (p1, inspection),
        (p2, {}),
        (p1, {}),
    ]
    for power, fields in plan:
        by, pub = (other_editor, other_publisher) if power is p3 else (editor, publisher)
        w.actions.append(action(power, by, pub, **fields))
    w.under_draft_power = w.actions[6]
    w.draft_action = action(p1, editor, None)
    w.withheld_action = action(
        p1,
        editor,
        publisher,
        withheld_ground="third_party_rights",
        withheld_legal_basis="《政府信息公开条例》第十五条",
    )

    # Decisions: the catalogue is the district office's; d1–d3 with 4, 3 and 1 consultations
    # (one of d1's shortened), and a draft decision.
    office = w.office = _office(w)
    catalogue = decision_builders.catalogue(
        office, users["office_publisher"], users["office_editor"]
    )
    w.decisions = {}
    for name, count in CONSULTATIONS_PER_DECISION.items():
        decision = decision_builders.decision(
            w.fgw, editor, catalogue, publisher=publisher, name=f"决策{name}"
        )
        w.decisions[name] = decision
        for i in range(count):
            shortened = name == "d1" and i == 1
            decision_builders.consultation(
                decision,
                editor,
                publisher=publisher,
                name=f"{name}的征求意见{i}",
                days=10 if shortened else 30,
                shortening_reason="情况紧急" if shortened else "",
            )
    w.draft_decision = decision_builders.decision(w.fgw, editor, catalogue, name="决策草稿")

    # Fiscal: two public projects of fgw, one of scjgj, and a draft of fgw.
    w.projects = [
        fiscal_builders.project(w.fgw, editor, publisher=publisher, code="P-conn-1"),
        fiscal_builders.project(w.scjgj, other_editor, publisher=other_publisher, code="P-conn-2"),
        fiscal_builders.project(w.fgw, editor, publisher=publisher, code="P-conn-3"),
    ]
    w.draft_project = fiscal_builders.project(w.fgw, editor, code="P-conn-draft")
    return w


def _office(w):
    from registry.models import Department

    office = Department.objects.create(code="qzfb", name_zh="区政府办公室", kind="district_office")
    for name, role in (("office_editor", "editor"), ("office_publisher", "publisher")):
        w.users[name] = create_user(name)
        grant_role(w.users[name], role, office)
    return office


world = module_world(_build_world)


@pytest.fixture
def w(world, db):
    """The module's data; the test runs in a savepoint rolled back afterwards."""
    return world


# --------------------------------------------------------------------------------------------
# Helpers.


def client(w, role="anonymous"):
    return api_client(w.tokens.get(role))


def post(api, query, variables=None):
    response = api.post("/graphql/", {"query": query, "variables": variables or {}}, format="json")
    assert response.status_code in (200, 400), response.content
    return response


def gql(api, query, variables=None):
    """The data of a query that must succeed."""
    response = post(api, query, variables)
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]


def gql_errors(api, query, variables=None):
    """The errors of a query that must fail (HTTP 200 or 400, never 500)."""
    body = post(api, query, variables).json()
    assert body.get("errors"), body
    return body["errors"]


def gql_error(api, query, variables=None):
    """The only error of a query that must fail."""
    errors = gql_errors(api, query, variables)
    assert len(errors) == 1, errors
    return errors[0]


def pk(global_id):
    return int(from_global_id(global_id)[1])


def gid(record):
    return to_global_id(type(record).__name__, record.pk)


def rest_ids(api, resource, **params):
    """The ids of a REST list, every page, in its order."""
    url = f"{API}{resource}/?{urlencode({'page_size': 4, **params}, doseq=True)}"
    ids = []
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.content
        ids += [row["id"] for row in response.json()["results"]]
        url = response.json()["next"]
    return ids


def page(api, field, args="", **paging):
    """One page of the root connection ``field`` (``args`` are its filter arguments)."""
    query = f"""query({PAGE_ARGS}) {{ {field}({PAGING}{args}) {{
        pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
        edges {{ cursor node {{ id }} }} nodes {{ id }} }} }}"""
    return gql(api, query, paging)[field]


def ids_of(connection_page):
    return [pk(edge["node"]["id"]) for edge in connection_page["edges"]]


def walk(api, field, args="", size=5, backward=False):
    """Every page of ``field``, following endCursor forwards (startCursor backwards)."""
    pages, cursor = [], None
    while True:
        if backward:
            found = page(api, field, args, last=size, before=cursor)
        else:
            found = page(api, field, args, first=size, after=cursor)
        pages.append(found)
        info = found["pageInfo"]
        if not (info["hasPreviousPage"] if backward else info["hasNextPage"]):
            return pages
        cursor = info["startCursor"] if backward else info["endCursor"]


def public_action_ids(w, body=None):
    """The public enforcement actions, newest first."""
    rows = [a for a in w.actions if body is None or a.body_id == body.pk]
    return sorted((a.pk for a in rows), reverse=True)


def sql_of(queries):
    return [query["sql"] for query in queries.captured_queries]


def counts(queries):
    return [sql for sql in sql_of(queries) if "COUNT(" in sql.upper()]


# --------------------------------------------------------------------------------------------
# 1. Keyset paging over a root connection.


def test_first_after_walks_every_row_once_newest_first_like_rest(w):
    anonymous = client(w)
    pages = walk(anonymous, "enforcementActions", size=5)
    assert [len(p["edges"]) for p in pages] == [5, 5, 2]
    seen = [i for p in pages for i in ids_of(p)]
    assert seen == public_action_ids(w) == rest_ids(anonymous, "enforcement-actions")
    assert len(seen) == len(set(seen)) == 12
    first, middle, last = pages
    assert first["pageInfo"]["hasPreviousPage"] is False
    assert first["pageInfo"]["hasNextPage"] is True
    assert middle["pageInfo"]["hasPreviousPage"] is middle["pageInfo"]["hasNextPage"] is True
    assert last["pageInfo"]["hasPreviousPage"] is True
    assert last["pageInfo"]["hasNextPage"] is False
    for p in pages:
        assert p["nodes"] == [edge["node"] for edge in p["edges"]]
        assert p["pageInfo"]["startCursor"] == p["edges"][0]["cursor"]
        assert p["pageInfo"]["endCursor"] == p["edges"][-1]["cursor"]


def test_last_before_walks_backwards_through_the_same_rows(w):
    anonymous = client(w)
    pages = walk(anonymous, "enforcementActions", size=5, backward=True)
    assert [len(p["edges"]) for p in pages] == [5, 5, 2]
    # Each page is in the connection's order (newest first); the pages come from the end.
    seen = [i for p in reversed(pages) for i in ids_of(p)]
    assert seen == public_action_ids(w)
    end, middle, start = pages
    assert end["pageInfo"]["hasNextPage"] is False  # no ``before``: nothing after the end
    assert end["pageInfo"]["hasPreviousPage"] is True
    assert middle["pageInfo"]["hasPreviousPage"] is middle["pageInfo"]["hasNextPage"] is True
    assert start["pageInfo"]["hasPreviousPage"] is False
    assert start["pageInfo"]["hasNextPage"] is True
    for p in pages:
        assert p["nodes"] == [edge["node"] for edge in p["edges"]]


def test_every_edge_cursor_continues_right_after_its_row(w):
    anonymous = client(w)
    expected = public_action_ids(w)
    edges = page(anonymous, "enforcementActions", first=12)["edges"]
    assert [pk(e["node"]["id"]) for e in edges] == expected
    for position, edge in enumerate(edges):
        after = page(anonymous, "enforcementActions", first=3, after=edge["cursor"])
        assert ids_of(after) == expected[position + 1 : position + 4]
        assert after["pageInfo"]["hasPreviousPage"] is True
        before = page(anonymous, "enforcementActions", last=3, before=edge["cursor"])
        assert ids_of(before) == expected[max(position - 3, 0) : position]
        assert before["pageInfo"]["hasPreviousPage"] is (position > 3)


def test_a_filtered_walk_matches_the_filtered_rest_list(w):
    anonymous = client(w)
    pages = walk(anonymous, "enforcementActions", ', department: "fgw", kind: ["penalty"]', 2)
    seen = [i for p in pages for i in ids_of(p)]
    expected = rest_ids(anonymous, "enforcement-actions", department="fgw", kind="penalty")
    assert seen == expected
    assert len(expected) == 7  # 10 public fgw actions, 3 of them inspections


def test_a_row_published_after_the_first_page_does_not_shift_the_next_pages(w):
    anonymous = client(w)
    first = page(anonymous, "enforcementActions", first=5)
    newest = enforcement_builders.penalty(
        enforcement_builders.power(w.b2, w.users["editor"], code="330210"),
        w.users["editor"],
        document_number="璧罚〔2026〕新号",
    )
    newest = workflow.publish(newest, acting_user=w.users["publisher"])
    rest = walk_from(anonymous, first["pageInfo"]["endCursor"])
    seen = ids_of(first) + rest
    assert seen == public_action_ids(w)  # no duplicate, no gap, the new row not among them
    # A client starting now sees the new row first.
    assert ids_of(page(anonymous, "enforcementActions", first=1)) == [newest.pk]


def walk_from(api, cursor, size=5):
    seen = []
    while cursor:
        found = page(api, "enforcementActions", first=size, after=cursor)
        seen += ids_of(found)
        cursor = found["pageInfo"]["endCursor"] if found["pageInfo"]["hasNextPage"] else None
    return seen


# --------------------------------------------------------------------------------------------
# 3. totalCount: exact, and counted only when asked.


def total(api, field, args=""):
    query = f"{{ {field}(first: 1{args}) {{ totalCount }} }}"
    return gql(api, query)[field]["totalCount"]


@pytest.mark.parametrize(
    ("role", "args", "params"),
    [
        ("anonymous", "", {}),
        ("anonymous", ', department: "fgw"', {"department": "fgw"}),
        ("anonymous", ', kind: ["inspection"]', {"kind": "inspection"}),
        ("anonymous", ', department: "scjgj", kind: ["penalty"]', {"department": "scjgj"}),
        ("editor", ', department: "fgw"', {"department": "fgw"}),  # with fgw's draft
    ],
)
def test_total_count_is_the_rest_lists_row_count(w, role, args, params):
    api = client(w, role)
    expected = rest_ids(api, "enforcement-actions", **params)
    assert total(api, "enforcementActions", args) == len(expected)


def test_total_counts_per_reader(w):
    assert total(client(w), "enforcementActions") == 12
    assert total(client(w, "editor"), "enforcementActions") == 14  # + draft, withheld
    assert total(client(w), "decisions") == 3
    assert total(client(w, "editor"), "decisions") == 4
    assert total(client(w), "investmentProjects", ', department: "fgw"') == 2


def test_total_count_does_not_depend_on_the_cursor(w):
    anonymous = client(w)
    cursor = page(anonymous, "enforcementActions", first=10)["pageInfo"]["endCursor"]
    query = """query($after: String) { enforcementActions(first: 5, after: $after) {
        totalCount edges { node { id } } } }"""
    found = gql(anonymous, query, {"after": cursor})["enforcementActions"]
    assert found["totalCount"] == 12 and len(found["edges"]) == 2


def test_count_runs_only_when_total_count_is_selected(w):
    anonymous = client(w)
    rows = "edges { cursor node { id name } } nodes { id } pageInfo { hasNextPage endCursor }"
    with CaptureQueriesContext(connection) as without:
        gql(anonymous, f"{{ enforcementActions(first: 5) {{ {rows} }} }}")
    assert counts(without) == [], sql_of(without)
    with CaptureQueriesContext(connection) as with_total:
        data = gql(anonymous, f"{{ enforcementActions(first: 5) {{ totalCount {rows} }} }}")
    assert data["enforcementActions"]["totalCount"] == 12
    assert len(counts(with_total)) == 1
    assert len(sql_of(with_total)) == len(sql_of(without)) + 1


def test_nested_count_runs_once_for_all_parents_and_only_when_asked(w):
    anonymous = client(w)
    nested = "enforcementActions(first: 2) { %s nodes { id } }"
    query = "{ enforcementBodies(first: 10) { nodes { id %s } } }"
    with CaptureQueriesContext(connection) as without:
        gql(anonymous, query % (nested % ""))
    assert counts(without) == [], sql_of(without)
    with CaptureQueriesContext(connection) as with_total:
        gql(anonymous, query % (nested % "totalCount"))
    assert len(counts(with_total)) == 1
    assert len(sql_of(with_total)) == len(sql_of(without)) + 1


# --------------------------------------------------------------------------------------------
# 4. updatedSince: oldest change first, like REST's incremental sync.


def sync_walk(api, since, size=5):
    query = f"""query({PAGE_ARGS}, $since: DateTime) {{
        enforcementActions({PAGING}, updatedSince: $since) {{
        pageInfo {{ hasNextPage endCursor }} edges {{ node {{ id updatedAt }} }} }} }}"""
    seen, cursor = [], None
    while True:
        found = gql(api, query, {"first": size, "after": cursor, "since": since})
        found = found["enforcementActions"]
        seen += [(pk(e["node"]["id"]), e["node"]["updatedAt"]) for e in found["edges"]]
        if not found["pageInfo"]["hasNextPage"]:
            return seen
        cursor = found["pageInfo"]["endCursor"]


def test_updated_since_orders_oldest_change_first_like_rest(w):
    anonymous = client(w)
    # Correct an old action: it becomes the latest change, though its id is small.
    changed = w.actions[1]
    workflow.amend(changed, acting_user=w.users["publisher"], reason="更正", summary="更正后")
    since = w.start.isoformat()
    seen = sync_walk(anonymous, since)
    ids = [i for i, _ in seen]
    assert ids == rest_ids(anonymous, "enforcement-actions", updated_since=since)
    assert sorted(ids) == sorted(public_action_ids(w))
    assert ids[-1] == changed.pk
    assert ids != sorted(ids) and ids != sorted(ids, reverse=True)
    moments = [datetime.datetime.fromisoformat(u) for _, u in seen]
    assert moments == sorted(moments)
    # Only what changed since a later moment.
    later = seen[6][1]
    assert [i for i, _ in sync_walk(anonymous, later)] == ids[6:]


def test_updated_since_pages_through_rows_changed_at_the_same_moment_by_id(w):
    """Rows updated together share ``updated_at``: the cursor's id tells them apart."""
    moment = timezone.now()
    EnforcementAction.objects.filter(pk__in=[a.pk for a in w.actions]).update(updated_at=moment)
    since = w.start.isoformat()
    ids = [i for i, _ in sync_walk(client(w), since, size=5)]
    assert ids == sorted(public_action_ids(w))
    assert ids == rest_ids(client(w), "enforcement-actions", updated_since=since)


def test_nested_connections_sync_by_update_too(w):
    changed = w.actions[0]  # b1's oldest action becomes its latest change
    workflow.amend(changed, acting_user=w.users["publisher"], reason="更正", summary="更正后")
    query = """query($since: DateTime) { node(id: "%s") { ... on EnforcementBody {
        enforcementActions(first: 50, updatedSince: $since) { nodes { id } } } } }"""
    found = gql(client(w), query % gid(w.b1), {"since": w.start.isoformat()})
    ids = [pk(n["id"]) for n in found["node"]["enforcementActions"]["nodes"]]
    assert ids == rest_ids(
        client(w), "enforcement-actions", body=w.b1.pk, updated_since=w.start.isoformat()
    )
    assert ids[-1] == changed.pk and sorted(ids) == sorted(public_action_ids(w, w.b1))


def test_a_cursor_of_the_default_ordering_is_refused_with_updated_since(w):
    anonymous = client(w)
    cursor = page(anonymous, "enforcementActions", first=2)["pageInfo"]["endCursor"]
    query = """query($after: String, $since: DateTime) {
        enforcementActions(first: 2, after: $after, updatedSince: $since) { nodes { id } } }"""
    error = gql_error(anonymous, query, {"after": cursor, "since": w.start.isoformat()})
    assert error["extensions"]["argument"] == "after"
    assert error["message"].startswith("after")
    # And the other way round.
    sync_cursor = gql(
        anonymous,
        """query($since: DateTime) { enforcementActions(first: 2, updatedSince: $since) {
            pageInfo { endCursor } } }""",
        {"since": w.start.isoformat()},
    )["enforcementActions"]["pageInfo"]["endCursor"]
    error = gql_error(
        anonymous,
        "query($before: String) { enforcementActions(last: 2, before: $before) { nodes { id } } }",
        {"before": sync_cursor},
    )
    assert error["extensions"]["argument"] == "before"


# --------------------------------------------------------------------------------------------
# 5. Errors name the argument.


NESTED = "{ enforcementBodies { nodes { enforcementActions(%s) { nodes { id } } } } }"


@pytest.mark.parametrize(
    ("query", "argument"),
    [
        ("{ enforcementActions(first: 0) { nodes { id } } }", "first"),
        ("{ enforcementActions(first: 501) { nodes { id } } }", "first"),
        ("{ enforcementActions(last: -1) { nodes { id } } }", "last"),
        ("{ enforcementActions(last: 501) { nodes { id } } }", "last"),
        ("{ enforcementActions(first: 2, last: 2) { nodes { id } } }", "last"),
        ('{ enforcementActions(after: "xyz") { nodes { id } } }', "after"),
        ('{ enforcementActions(before: "xyz") { nodes { id } } }', "before"),
        ('{ enforcementActions(partyKind: "nobody") { nodes { id } } }', "partyKind"),
        ('{ enforcementActions(kind: ["nope"]) { nodes { id } } }', "kind"),
        ('{ decisions(category: "nope") { nodes { id } } }', "category"),
        ('{ decisions(department: "no-such-department") { nodes { id } } }', "department"),
        ('{ departments(parent: "no-such-department") { nodes { id } } }', "parent"),
        (NESTED % "first: 0", "first"),
        (NESTED % 'after: "xyz"', "after"),
        (NESTED % 'partyKind: "nobody"', "partyKind"),
    ],
)
def test_errors_name_the_argument(w, query, argument):
    # A nested connection's error comes for each parent row; each names the argument.
    for error in gql_errors(client(w), query):
        assert error["extensions"]["argument"] == argument, error
        assert error["message"].startswith(f"{argument}: "), error


@pytest.mark.parametrize(
    ("query", "variables", "argument"),
    [
        (
            "query($d: Date) { decisions(dateMadeAfter: $d) { nodes { id } } }",
            {"d": "not-a-date"},
            "dateMadeAfter",
        ),
        ('{ decisions(dateMadeAfter: "not-a-date") { nodes { id } } }', {}, "dateMadeAfter"),
        (
            "query($t: DateTime) { enforcementActions(updatedSince: $t) { nodes { id } } }",
            {"t": "yesterday"},
            "updatedSince",
        ),
        ('{ consultations(openOn: "2026-02-30") { nodes { id } } }', {}, "openOn"),
    ],
)
def test_a_filter_value_of_the_wrong_type_names_the_argument(w, query, variables, argument):
    """Like REST's 400 naming ``date_made_after``: the argument, not only the variable."""
    error = gql_error(client(w), query, variables)
    assert error["extensions"]["argument"] == argument, error
    assert argument in error["message"], error


# --------------------------------------------------------------------------------------------
# 6. Nested connections: paged and counted per parent, with the far type's filters.

BODY_ACTIONS = """query($first: Int, $last: Int) { enforcementBodies(first: 10) { nodes { id
    enforcementActions(first: $first, last: $last) {
        totalCount pageInfo { hasNextPage hasPreviousPage endCursor } nodes { id } } } } }"""


def by_parent(nodes, field):
    return {pk(node["id"]): node[field] for node in nodes}


def test_nested_first_pages_and_counts_every_parent_in_one_query(w):
    nodes = gql(client(w), BODY_ACTIONS, {"first": 2})["enforcementBodies"]["nodes"]
    pages = by_parent(nodes, "enforcementActions")
    assert set(pages) == {w.b1.pk, w.b2.pk, w.b3.pk}
    for name, count in ACTIONS_PER_BODY.items():
        body = getattr(w, name)
        found = pages[body.pk]
        assert found["totalCount"] == count
        assert [pk(n["id"]) for n in found["nodes"]] == public_action_ids(w, body)[:2]
        assert found["pageInfo"]["hasNextPage"] is (count > 2)
        assert found["pageInfo"]["hasPreviousPage"] is False


def test_nested_last_pages_every_parent_from_its_end(w):
    nodes = gql(client(w), BODY_ACTIONS, {"last": 2})["enforcementBodies"]["nodes"]
    pages = by_parent(nodes, "enforcementActions")
    for name, count in ACTIONS_PER_BODY.items():
        body = getattr(w, name)
        found = pages[body.pk]
        assert [pk(n["id"]) for n in found["nodes"]] == public_action_ids(w, body)[-2:]
        assert found["pageInfo"]["hasPreviousPage"] is (count > 2)
        assert found["pageInfo"]["hasNextPage"] is False


def test_a_nested_end_cursor_continues_that_parents_page(w):
    anonymous = client(w)
    query = """query($id: ID!, $after: String) { node(id: $id) { ... on EnforcementBody {
        enforcementActions(first: 2, after: $after) {
            pageInfo { hasNextPage hasPreviousPage endCursor } nodes { id } } } } }"""
    nodes = gql(anonymous, BODY_ACTIONS, {"first": 2})["enforcementBodies"]["nodes"]
    for body in (w.b1, w.b2):
        start = by_parent(nodes, "enforcementActions")[body.pk]
        seen = [pk(n["id"]) for n in start["nodes"]]
        cursor = start["pageInfo"]["endCursor"]
        while cursor:
            found = gql(anonymous, query, {"id": gid(body), "after": cursor})
            found = found["node"]["enforcementActions"]
            assert found["pageInfo"]["hasPreviousPage"] is True
            seen += [pk(n["id"]) for n in found["nodes"]]
            cursor = found["pageInfo"]["endCursor"] if found["pageInfo"]["hasNextPage"] else None
        assert seen == public_action_ids(w, body)


def test_nested_counts_follow_the_reader(w):
    nodes = gql(client(w, "editor"), BODY_ACTIONS, {"first": 2})["enforcementBodies"]["nodes"]
    pages = by_parent(nodes, "enforcementActions")
    counted = {body_pk: found["totalCount"] for body_pk, found in pages.items()}
    # fgw's editor also sees b1's draft and withheld actions.
    assert counted == {w.b1.pk: 9, w.b2.pk: 3, w.b3.pk: 2}


def test_consultations_per_decision(w):
    query = """{ decisions(first: 10) { nodes { name
        consultations(first: 2) { totalCount pageInfo { hasNextPage } nodes { name } }
        shortened: consultations(shortened: true) { totalCount nodes { name } } } } }"""
    nodes = gql(client(w), query)["decisions"]["nodes"]
    found = {node["name"]: node for node in nodes}
    for name, count in CONSULTATIONS_PER_DECISION.items():
        node = found[f"决策{name}"]
        assert node["consultations"]["totalCount"] == count
        assert [n["name"] for n in node["consultations"]["nodes"]] == [
            f"{name}的征求意见{i}" for i in reversed(range(count))
        ][:2]
        assert node["consultations"]["pageInfo"]["hasNextPage"] is (count > 2)
        expected = ["d1的征求意见1"] if name == "d1" else []
        assert [n["name"] for n in node["shortened"]["nodes"]] == expected
        assert node["shortened"]["totalCount"] == len(expected)


def test_nested_filters_on_department_connections(w):
    query = """{ departments { nodes { code
        enforcementActions(first: 20, kind: ["inspection"]) {
            totalCount nodes { id kind } } } } }"""
    nodes = gql(client(w), query)["departments"]["nodes"]
    found = {node["code"]: node["enforcementActions"] for node in nodes}
    expected = rest_ids(client(w), "enforcement-actions", department="fgw", kind="inspection")
    assert [pk(n["id"]) for n in found["fgw"]["nodes"]] == expected
    assert len(expected) == found["fgw"]["totalCount"] == 3
    assert {n["kind"] for n in found["fgw"]["nodes"]} == {"INSPECTION"}
    assert found["scjgj"] == {"totalCount": 0, "nodes": []}


# --------------------------------------------------------------------------------------------
# 7. Relations both ways, through the permission path.

DEPARTMENT_ROWS = """{ departments { nodes { code
    decisions(first: 50) { totalCount nodes { id } }
    enforcementActions(first: 50) { totalCount nodes { id } }
    investmentProjects(first: 50) { totalCount nodes { id } } } } }"""


@pytest.mark.parametrize("role", ["anonymous", "editor", "other_editor"])
def test_a_departments_connections_list_exactly_its_rows(w, role):
    api = client(w, role)
    nodes = gql(api, DEPARTMENT_ROWS)["departments"]["nodes"]
    assert {node["code"] for node in nodes} == {"fgw", "scjgj", "qzfb"}
    for node in nodes:
        for field, resource in (
            ("decisions", "decisions"),
            ("enforcementActions", "enforcement-actions"),
            ("investmentProjects", "investment-projects"),
        ):
            expected = rest_ids(api, resource, department=node["code"])
            assert [pk(n["id"]) for n in node[field]["nodes"]] == expected, (node["code"], field)
            assert node[field]["totalCount"] == len(expected)


def test_department_rows_hide_drafts_from_the_public_only(w):
    def ids(role):
        nodes = gql(client(w, role), DEPARTMENT_ROWS)["departments"]["nodes"]
        fgw = next(node for node in nodes if node["code"] == "fgw")
        return {
            field: {pk(n["id"]) for n in fgw[field]["nodes"]}
            for field in ("decisions", "enforcementActions", "investmentProjects")
        }

    public, editor, other = ids("anonymous"), ids("editor"), ids("other_editor")
    assert w.draft_decision.pk in editor["decisions"] - public["decisions"]
    assert w.draft_action.pk in editor["enforcementActions"] - public["enforcementActions"]
    assert w.draft_project.pk in editor["investmentProjects"] - public["investmentProjects"]
    assert other == public


def test_records_lead_back_to_their_department_and_owner(w):
    query = """{ enforcementActions(first: 20) { nodes { id department { code }
        body { id name department { code } } } } }"""
    nodes = gql(client(w), query)["enforcementActions"]["nodes"]
    actions = {a.pk: a for a in w.actions}
    for node in nodes:
        action = actions[pk(node["id"])]
        assert node["department"]["code"] == action.department.code
        assert pk(node["body"]["id"]) == action.body_id
        assert node["body"]["department"]["code"] == action.department.code


def test_a_foreign_key_to_a_row_the_reader_may_not_see_is_null(w):
    """An action published under a power still in draft: the public and other departments
    see the action but not its power; the power's department sees both."""
    query = """{ enforcementActions(first: 20) { nodes { id power { code } } } }"""

    def powers(role):
        nodes = gql(client(w, role), query)["enforcementActions"]["nodes"]
        return {pk(n["id"]): n["power"] and n["power"]["code"] for n in nodes}

    public = powers("anonymous")
    assert public[w.under_draft_power.pk] is None
    assert all(code for i, code in public.items() if i != w.under_draft_power.pk)
    assert powers("other_editor")[w.under_draft_power.pk] is None
    assert powers("editor")[w.under_draft_power.pk] == "330299"
    single = """query($id: ID!) { node(id: $id) { ... on EnforcementAction { power { code } } } }"""
    variables = {"id": gid(w.under_draft_power)}
    assert gql(client(w), single, variables)["node"] == {"power": None}
    assert gql(client(w, "editor"), single, variables)["node"] == {"power": {"code": "330299"}}


def test_a_reverse_connection_hides_rows_the_reader_may_not_see(w):
    query = """query($id: ID!) { node(id: $id) { ... on EnforcementBody {
        enforcementPowers(first: 10) { totalCount nodes { code } } } } }"""

    def codes(role):
        found = gql(client(w, role), query, {"id": gid(w.b1)})["node"]["enforcementPowers"]
        assert found["totalCount"] == len(found["nodes"])
        return {n["code"] for n in found["nodes"]}

    assert codes("anonymous") == {"330201"}
    assert codes("editor") == {"330201", "330299"}


# --------------------------------------------------------------------------------------------
# 8. nodes(ids: [...]).

NODES = """query($ids: [ID!]!) { nodes(ids: $ids) { __typename id
    ... on EnforcementAction { documentNumber } ... on Decision { name } } }"""


def nodes(api, ids):
    return gql(api, NODES, {"ids": ids})["nodes"]


def test_nodes_come_in_the_order_asked_with_null_for_what_the_reader_may_not_see(w):
    a0, a5 = w.actions[0], w.actions[5]
    d2 = w.decisions["d2"]
    missing = to_global_id("EnforcementAction", 10**9)
    ids = [gid(a5), gid(w.draft_action), gid(d2), missing, gid(w.withheld_action), gid(a0)]
    public = nodes(client(w), ids)
    assert [row and row["id"] for row in public] == [gid(a5), None, gid(d2), None, None, gid(a0)]
    assert public[0] == {
        "__typename": "EnforcementAction",
        "id": gid(a5),
        "documentNumber": a5.document_number,
    }
    assert public[2] == {"__typename": "Decision", "id": gid(d2), "name": d2.name}
    editor = nodes(client(w, "editor"), ids)
    assert [row and row["id"] for row in editor] == [
        gid(a5),
        gid(w.draft_action),
        gid(d2),
        None,
        gid(w.withheld_action),
        gid(a0),
    ]
    other = nodes(client(w, "other_editor"), ids)
    assert [row and row["id"] for row in other] == [row and row["id"] for row in public]


def test_no_ids_no_nodes(w):
    assert nodes(client(w), []) == []


def test_nodes_repeat_a_row_asked_twice(w):
    a0 = w.actions[0]
    found = nodes(client(w), [gid(a0), gid(w.draft_decision), gid(a0)])
    assert [row and row["id"] for row in found] == [gid(a0), None, gid(a0)]


@pytest.mark.parametrize(
    "bad",
    [
        "xyz",
        to_global_id("EnforcementAction", "abc"),
        to_global_id("NoSuchType", 1),
        to_global_id("Query", 1),
        to_global_id("EnforcementActionConnection", 1),
    ],
)
def test_a_malformed_id_is_an_error_naming_ids(w, bad):
    error = gql_error(client(w), NODES, {"ids": [gid(w.actions[0]), bad]})
    assert error["extensions"]["argument"] == "ids"
    assert error["message"].startswith("ids: ")


NODE = """query($id: ID!) { node(id: $id) { __typename id } }"""


@pytest.mark.parametrize(
    "bad",
    [
        "xyz",
        to_global_id("EnforcementAction", "abc"),
        to_global_id("NoSuchType", 1),
        to_global_id("Query", 1),
    ],
)
def test_a_malformed_node_id_is_an_error_naming_id(w, bad):
    """As ``nodes`` does; graphene's own answer looked like an internal error (found by
    contract fuzzing)."""
    error = gql_error(client(w), NODE, {"id": bad})
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "argument": "id"}
    assert error["message"] == f"id: 无效的 ID：{bad}"
    found = gql(client(w), NODE, {"id": gid(w.actions[0])})["node"]
    assert found == {"__typename": "EnforcementAction", "id": gid(w.actions[0])}
    assert gql(client(w), NODE, {"id": gid(w.draft_action)})["node"] is None


def test_at_most_500_ids(w):
    ids = [gid(w.actions[i % 12]) for i in range(500)]
    assert len(nodes(client(w), ids)) == 500
    error = gql_error(client(w), NODES, {"ids": [*ids, gid(w.actions[0])]})
    assert error["extensions"]["argument"] == "ids"
    assert "500" in error["message"]


def test_nodes_read_one_query_per_type_not_per_id(w):
    anonymous = client(w)
    actions = [w.draft_action, w.withheld_action, *w.actions]
    missing = [to_global_id("EnforcementAction", 10**9 + i) for i in range(6)]

    def queries(ids):
        with CaptureQueriesContext(connection) as captured:
            found = nodes(anonymous, ids)
        assert len(found) == len(ids)
        return len(captured.captured_queries)

    two = queries([gid(a) for a in actions[:2]])
    twenty = queries([gid(a) for a in actions] + missing)
    assert twenty == two
    mixed = queries([gid(a) for a in actions] + [gid(d) for d in w.decisions.values()])
    assert mixed == two + 1
