"""What one GraphQL request may ask (depth, aliases, cost, length: 400 with the limit named,
checked before the standard validation and fast even for hostile queries), the parse and
validation cache, execution in one read-only snapshot under a statement timeout, and HTTP
caching of GET queries."""

import time
from unittest import mock

import graphql
import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from graphql import get_introspection_query
from rest_framework.test import APIClient

from registry.graphql import views
from registry.graphql.views import QueryCache, RegistryGraphQLView, query_cache
from registry.models import Department
from registry.services.roles import grant_role
from tests.decisions import builders

# depth 4 (departments, edges, node, code), no alias, cost 50 (the default page, 1 each)
SIMPLE = "{ departments { edges { node { code } } } }"
# depth 5, aliases 3, cost 100 × (1 + 1) = 200
NESTED = """{ a: departments(first: 100) { totalCount pageInfo { hasNextPage }
    edges { cursor node { b: code c: parent { code } } } } }"""


def limits(**changes):
    return override_settings(GRAPHQL_LIMITS={**settings.GRAPHQL_LIMITS, **changes})


def post(query, variables=None, client=None, **headers):
    body = {"query": query, **({"variables": variables} if variables is not None else {})}
    return (client or APIClient()).post("/graphql/", body, format="json", **headers)


def refused(response, code):
    """The one error of a refused request, checked to carry ``code``."""
    assert response.status_code == 400, response.content
    body = response.json()
    assert "data" not in body, body
    (error,) = body["errors"]
    assert error["extensions"]["code"] == code, error
    return error


def answered(response):
    assert response.status_code == 200, response.content
    body = response.json()
    assert "errors" not in body, body
    return body


@pytest.mark.parametrize(
    ("query", "setting", "value", "code"),
    [
        (SIMPLE, "max_depth", 4, "QUERY_TOO_DEEP"),
        (NESTED, "max_depth", 5, "QUERY_TOO_DEEP"),
        (NESTED, "max_aliases", 3, "TOO_MANY_ALIASES"),
        (SIMPLE, "max_cost", 50, "QUERY_TOO_COSTLY"),
        (NESTED, "max_cost", 200, "QUERY_TOO_COSTLY"),
        (SIMPLE, "max_query_chars", len(SIMPLE), "QUERY_TOO_LONG"),
    ],
)
def test_each_limit_passes_at_the_limit_and_refuses_above(departments, query, setting, value, code):
    with limits(**{setting: value}):
        body = answered(post(query))
    if setting == "max_cost":
        assert body["extensions"]["cost"] == {"requested": value, "limit": value}
    with limits(**{setting: value - 1}):
        error = refused(post(query), code)
        english = refused(post(query, HTTP_ACCEPT_LANGUAGE="en"), code)
    assert error["extensions"] == {"code": code, "limit": value - 1, "value": value}
    assert f"（{setting}）" in error["message"] and str(value) in error["message"]
    assert f"({setting})" in english["message"] and "limit" in english["message"]


def test_the_cost_message_points_to_whole_data_sets(db):
    with limits(max_cost=10):
        message = refused(post(SIMPLE), "QUERY_TOO_COSTLY")["message"]
    assert "/bulk-export/" in message and "/api/v1/snapshot/" in message


def test_violations_are_reported_together(db):
    with limits(max_depth=3, max_aliases=1, max_cost=10):
        response = post(NESTED)
    assert response.status_code == 400
    codes = [e["extensions"]["code"] for e in response.json()["errors"]]
    assert codes == ["QUERY_TOO_DEEP", "TOO_MANY_ALIASES", "QUERY_TOO_COSTLY"]


@pytest.mark.parametrize(
    ("query", "variables", "cost"),
    [
        ("query($n: Int) { departments(first: $n) { edges { node { code } } } }", {"n": 300}, 300),
        ("query($n: Int = 300) { departments(first: $n) { edges { node { code } } } }", {}, 300),
        ("query($n: Int) { departments(last: $n) { edges { node { code } } } }", {"n": 7}, 7),
        ("{ departments(first: 3) { nodes: edges { node { parent { code } } } } }", None, 6),
    ],
)
def test_page_sizes_from_variables_and_literals(departments, query, variables, cost):
    with limits(max_cost=cost - 1):
        error = refused(post(query, variables), "QUERY_TOO_COSTLY")
    assert error["extensions"]["value"] == cost


def test_a_non_integer_page_size_does_not_break_the_cost(db):
    query = "query($n: Int) { departments(first: $n) { edges { node { code } } } }"
    response = post(query, {"n": "many"})
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert "extensions" not in error or error["extensions"].get("code") != "QUERY_TOO_COSTLY"
    assert "$n" in error["message"]  # graphql-core reports the bad variable


def test_nested_connections_multiply(departments):
    query = """{ departments(first: 10) { edges { node {
        children(first: 20) { edges { node { code parent { code } } } } } } } }"""
    with limits(max_cost=0):
        error = refused(post(query), "QUERY_TOO_COSTLY")
    assert error["extensions"]["value"] == 10 * (1 + 20 * (1 + 1))


def test_fragments_count_for_depth_aliases_and_cost(departments):
    query = """{ departments { edges { node { ...Dept ... on Department { y: code } } } } }
        fragment Dept on Department { x: code parent { ...Code } }
        fragment Code on Department { z: code }"""
    with limits(max_depth=5, max_aliases=3, max_cost=100):
        answered(post(query))
    with limits(max_depth=4, max_aliases=2, max_cost=99):
        response = post(query)
    values = {e["extensions"]["code"]: e["extensions"]["value"] for e in response.json()["errors"]}
    assert values == {"QUERY_TOO_DEEP": 5, "TOO_MANY_ALIASES": 3, "QUERY_TOO_COSTLY": 100}


def test_a_fragment_used_twice_counts_twice_and_nesting_does_not_explode(db):
    spreads = "\n".join(
        f"fragment F{i} on Department {{ ...F{i + 1} ...F{i + 1} }}" for i in range(40)
    )
    query = f"{{ departments {{ edges {{ node {{ ...F0 }} }} }} }}\n{spreads}\n"
    query += "fragment F40 on Department { a: code }"
    start = time.monotonic()
    error = refused(post(query), "TOO_MANY_ALIASES")
    assert time.monotonic() - start < 10  # seconds: refused up front, not after minutes
    assert error["extensions"]["value"] == 2**40


def test_the_introspection_query_passes(db):
    with limits(max_depth=3, max_cost=10):
        body = answered(post(get_introspection_query(descriptions=True)))
    assert body["data"]["__schema"]["queryType"]["name"] == "Query"


def test_ten_thousand_aliases_are_refused_quickly(db):
    aliases = " ".join(f"a{i}: code" for i in range(10_000))
    query = f"{{ departments {{ edges {{ node {{ {aliases} }} }} }} }}"
    refused(post(query), "QUERY_TOO_LONG")
    start = time.monotonic()
    with limits(max_query_chars=1_000_000):
        error = refused(post(query), "TOO_MANY_ALIASES")
    assert time.monotonic() - start < 10  # seconds: refused up front, not after minutes
    assert error["extensions"]["value"] == 10_000


def test_three_thousand_levels_are_refused_quickly(db):
    query = "{" + "a {" * 3000 + "b" + "}" * 3001
    start = time.monotonic()
    error = refused(post(query), "QUERY_TOO_DEEP")
    assert time.monotonic() - start < 10  # seconds: refused up front, not after minutes
    assert error["extensions"]["value"] > 3000
    # deep, but not too deep for the parser: the depth is measured exactly
    deep = "{ departments { edges { node { " + "parent { " * 97 + "code" + " }" * 100 + " }"
    assert refused(post(deep), "QUERY_TOO_DEEP")["extensions"]["value"] == 101


def test_a_fragment_cycle_is_a_validation_error_not_a_hang(db):
    query = """{ departments { edges { node { ...A } } } }
        fragment A on Department { parent { ...B } }
        fragment B on Department { parent { ...A } }"""
    start = time.monotonic()
    response = post(query)
    assert time.monotonic() - start < 10  # seconds: refused up front, not after minutes
    assert response.status_code == 400
    assert "within itself" in response.json()["errors"][0]["message"]


def test_parse_and_validation_are_cached(departments):
    query = "{ departments(first: 2) { edges { node { code nameZh } } } }"
    query_cache.clear()
    with (
        mock.patch.object(views, "parse", wraps=graphql.parse) as parse,
        mock.patch.object(views, "validate", wraps=graphql.validate) as validate,
    ):
        first, second = answered(post(query)), answered(post(query))
    assert first == second
    assert parse.call_count == validate.call_count == 1


def test_the_cache_is_bounded_by_entries_and_characters():
    cache = QueryCache(max_entries=3, max_chars=40)
    queries = [f"{{ q{i} }}" for i in range(5)]  # 6 characters each
    for query in queries:
        cache.get(query)
    assert list(cache.entries) == queries[2:]
    cache.get(queries[2])  # now the most recently used
    cache.get("{ " + "x " * 15 + "}")  # 33 characters: only one other entry still fits
    assert list(cache.entries) == [queries[2], "{ " + "x " * 15 + "}"]
    cache.get("{ " + "y " * 30 + "}")  # longer than the whole budget: never kept
    assert len(cache.entries) == 2 and cache.chars == 6 + 33


def _probe_middleware(monkeypatch, statement):
    """Run ``statement`` when the first root field resolves; returns what it read."""
    seen = []

    def probe(next_, root, info, **args):
        if root is None and not seen:
            with connection.cursor() as cursor:
                cursor.execute(statement)
                seen.append(cursor.fetchall())
        return next_(root, info, **args)

    monkeypatch.setattr(RegistryGraphQLView, "get_middleware", lambda self, request: [probe])
    return seen


@pytest.mark.django_db(transaction=True)
def test_execution_is_one_read_only_snapshot_under_the_timeout(monkeypatch):
    seen = _probe_middleware(
        monkeypatch,
        "SELECT current_setting('transaction_read_only'), "
        "current_setting('transaction_isolation'), current_setting('statement_timeout')",
    )
    with limits(statement_timeout_ms=1234):
        answered(post(SIMPLE))
    assert seen == [[("on", "repeatable read", "1234ms")]]
    with connection.cursor() as cursor:  # nothing of it outlives the request
        cursor.execute("SHOW transaction_read_only")
        assert cursor.fetchone() == ("off",)


def test_inside_a_callers_transaction_execution_is_read_only_too(monkeypatch, departments):
    seen = _probe_middleware(monkeypatch, "SHOW transaction_read_only")
    answered(post(SIMPLE))
    assert seen == [[("on",)]]
    departments["fgw"].name_en = "still writable afterwards"
    departments["fgw"].save()


@pytest.mark.django_db(transaction=True)
def test_a_statement_timeout_is_a_clear_error(monkeypatch):
    _probe_middleware(monkeypatch, "SELECT pg_sleep(2)")
    start = time.monotonic()
    with limits(statement_timeout_ms=50):
        error = refused(post(SIMPLE), "QUERY_TIMEOUT")
        english = refused(post(SIMPLE, HTTP_ACCEPT_LANGUAGE="en"), "QUERY_TIMEOUT")
    assert time.monotonic() - start < 2
    assert error["extensions"] == {"code": "QUERY_TIMEOUT", "limit": 50}
    assert "statement_timeout_ms" in error["message"] and "/bulk-export/" in error["message"]
    assert "statement_timeout_ms" in english["message"] and "narrower" in english["message"]


DECISIONS = "{ decisions { edges { node { name status } } } }"


@pytest.fixture
def decision(departments, users):
    """A published decision of ``fgw`` in a catalogue the district office issued."""
    office = Department.objects.create(code="qzfb", name_zh="区政府办公室", kind="district_office")
    grant_role(users["editor"], "editor", office)
    grant_role(users["publisher"], "publisher", office)
    catalogue = builders.catalogue(office, users["publisher"], users["editor"])
    return builders.decision(
        departments["fgw"], users["editor"], catalogue, publisher=users["publisher"]
    )


def test_get_answers_carry_validators_and_cache_headers(client_for, departments, users, decision):
    anonymous = client_for("anonymous")
    first = anonymous.get("/graphql/", {"query": DECISIONS})
    again = anonymous.get("/graphql/", {"query": DECISIONS})
    assert first.status_code == again.status_code == 200
    assert first["ETag"] and first["ETag"] == again["ETag"]
    assert first["Cache-Control"] == "public, max-age=60"
    vary = {v.strip() for v in first["Vary"].split(",")}
    assert {"Accept-Language", "Authorization", "Cookie"} <= vary
    assert settings.CSRF_COOKIE_NAME not in first.cookies
    unchanged = anonymous.get("/graphql/", {"query": DECISIONS}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged["Cache-Control"] == "public, max-age=60"

    builders.decision(
        departments["fgw"],
        users["editor"],
        decision.catalogue,
        publisher=users["publisher"],
        name="新公布的决策",
    )
    changed = anonymous.get("/graphql/", {"query": DECISIONS}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert "新公布的决策" in changed.content.decode()


def test_an_anonymous_etag_is_not_reused_for_an_editor(client_for, departments, users, decision):
    builders.decision(departments["fgw"], users["editor"], decision.catalogue, name="草稿决策")
    public = client_for("anonymous").get("/graphql/", {"query": DECISIONS})
    assert "草稿决策" not in public.content.decode()
    editor = client_for("editor").get(
        "/graphql/", {"query": DECISIONS}, HTTP_IF_NONE_MATCH=public["ETag"]
    )
    assert editor.status_code == 200 and "草稿决策" in editor.content.decode()
    assert editor["ETag"] != public["ETag"]
    assert editor["Cache-Control"] == "private, no-cache"


def test_session_users_are_not_cached_publicly(client, users, decision):
    client.force_login(users["editor"])
    response = client.get("/graphql/", {"query": DECISIONS})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"


def test_posts_and_errors_are_not_stored(client_for, decision):
    anonymous = client_for("anonymous")
    posted = anonymous.post("/graphql/", {"query": DECISIONS}, format="json")
    assert posted.status_code == 200 and posted["Cache-Control"] == "no-store"
    with limits(max_depth=2):
        too_deep = anonymous.get("/graphql/", {"query": DECISIONS})
    assert too_deep.status_code == 400 and too_deep["Cache-Control"] == "no-store"
    assert not too_deep.has_header("ETag")
    bad = anonymous.get(
        "/graphql/", {"query": '{ decisions(category: "nope") { edges { cursor } } }'}
    )
    assert bad["Cache-Control"] == "no-store"
