"""No N+1 anywhere in the graph: for every root connection, with every relation of its node
two levels deep (nested connections with ``totalCount`` and page info, foreign keys), the
number of SQL queries is the same for a page of 1 row and a page of 100 rows.

The data: the demo data set (every type has rows), then for each root connection 100
copies of one of its public rows together with the rows that hang off it (two levels), so
that the 1-row page and the 100-row page have the same shape and every nested level
resolves for every row."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphql import GraphQLObjectType, get_named_type
from rest_framework.authtoken.models import Token

from registry.graphql.schema import schema
from tests.clones import clone_tree
from tests.world import api_client, create_user, module_world

# The world is built once, on one worker (`make test` distributes by group).
pytestmark = pytest.mark.xdist_group("graphql_query_counts")

COPIES = 100
GRAPH = schema.graphql_schema
UNLIMITED = {
    "default_page_size": 50,
    "max_page_size": 500,
    "max_depth": 100,
    "max_aliases": 100,
    "max_cost": 10**9,
    "max_query_chars": 10**6,
    "statistics_cost": 100,
    "statement_timeout_ms": 60_000,
}


def node_model(type_name):
    return GRAPH.get_type(type_name).graphene_type._meta.model


def is_node(graphql_type):
    return isinstance(graphql_type, GraphQLObjectType) and any(
        i.name == "Node" for i in graphql_type.interfaces
    )


def connection_node(field):
    """The node type of a connection field, or None."""
    named = get_named_type(field.type)
    if not named.name.endswith("Connection") or "first" not in field.args:
        return None
    return get_named_type(named.fields["edges"].type).fields["node"].type


def selection(type_name, depth, path=frozenset()):
    """Every scalar of the type and, ``depth`` levels down, every relation to a type not
    already on the path (going back up would only repeat rows). Connections take 100 rows
    per parent, those of the deepest level 3 and their rows give only their id: the test
    counts queries, not rows (every type's scalars are selected under its own root), and
    every department has thousands of rows two levels down."""
    if depth == 0:
        return "id"
    graphql_type = GRAPH.get_type(type_name)
    path = path | {type_name}
    parts = []
    for name, field in graphql_type.fields.items():
        named = get_named_type(field.type)
        node = connection_node(field)
        target = get_named_type(node).name if node is not None else named.name
        if node is not None or is_node(named):
            if target in path:
                continue
            inner = selection(target, depth - 1, path)
            if node is not None:
                size = 100 if depth > 1 else 3
                parts.append(
                    f"{name}(first: {size}) {{ totalCount pageInfo {{ hasNextPage endCursor }} "
                    f"edges {{ cursor node {{ {inner} }} }} }}"
                )
            else:
                parts.append(f"{name} {{ {inner} }}")
        elif not isinstance(named, GraphQLObjectType):
            parts.append(name)
    return " ".join(parts)


def root_connections():
    for name, field in GRAPH.query_type.fields.items():
        node = connection_node(field)
        if node is not None:
            yield name, get_named_type(node).name


ROOTS = dict(root_connections())


def build():
    from django.contrib.auth.models import AnonymousUser

    from registry.demo import load_all
    from registry.permissions import restrict

    load_all(io.StringIO())
    graph_models = {node_model(name) for name in GRAPH.type_map if is_node(GRAPH.get_type(name))}
    for type_name in ROOTS.values():
        model = node_model(type_name)
        rows = model._default_manager.order_by("pk")
        public = restrict(rows, AnonymousUser())
        # A public row if there is one (else oversight reads it), with the most relations
        # that have rows, so that nested levels are not empty.
        relations = [r for r in model._meta.related_objects if r.related_model in graph_models]
        source = max(
            (public if public.exists() else rows)[:50],
            key=lambda row: sum(
                r.related_model._default_manager.filter(**{r.field.attname: row.pk}).exists()
                for r in relations
            ),
        )
        clone_tree(source, COPIES, graph_models)
    oversight = create_user("counting_oversight", ("oversight", None))
    return {"anonymous": None, "oversight": Token.objects.create(user=oversight).key}


world = module_world(build)


@pytest.fixture
def unlimited(world, db, settings):
    """The module's data, with the request limits lifted: this measures batching, not the
    limits (tests/test_graphql_limits.py does)."""
    settings.GRAPHQL_LIMITS = UNLIMITED


def run(query, token):
    client = api_client(token)
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/graphql/", {"query": query}, format="json")
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"], len(queries)


# Legality reviews are never public: only the oversight case can count them.
CASES = [
    (root, reader)
    for root in sorted(ROOTS)
    for reader in ("anonymous", "oversight")
    if (root, reader) != ("legalityReviews", "anonymous")
]


@pytest.mark.parametrize("root,reader", CASES)
def test_queries_do_not_grow_with_rows(world, unlimited, root, reader):
    inner = selection(ROOTS[root], 2)
    counts = {}
    for size in (1, COPIES):
        query = f"{{ {root}(first: {size}) {{ totalCount edges {{ node {{ {inner} }} }} }} }}"
        data, counts[size] = run(query, world[reader])
        assert len(data[root]["edges"]) == size
    assert counts[1] == counts[COPIES], counts


def test_departments_of_statistics_groups_are_one_batch(world, unlimited):
    """Relations under the departments of statistics groups load once for all groups."""
    query = """{ enforcementActionStatistics(groupBy: [DEPARTMENT]%s) { count department {
        code parent { code } enforcementBodies(first: 5) { totalCount nodes { id } } } } }"""
    run(query % ', department: "scjgj"', world["anonymous"])  # reads the department codes
    one, one_count = run(query % ', department: "scjgj"', world["anonymous"])
    many, many_count = run(query % "", world["anonymous"])
    assert len(one["enforcementActionStatistics"]) == 1
    assert len(many["enforcementActionStatistics"]) >= 2
    assert all(g["department"]["enforcementBodies"] for g in many["enforcementActionStatistics"])
    assert one_count == many_count
