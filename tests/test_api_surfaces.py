"""The API surfaces of the foundation: root, departments, token login, errors as JSON,
strict filters and ids, keyset pagination, request ids, health, docs and GraphQL."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import notice

pytestmark = pytest.mark.django_db


def test_root_lists_resources(client_for, departments):
    body = client_for("anonymous").get("/api/v1/").json()
    assert "departments" in body and "test-notices" in body


@pytest.mark.parametrize("role", ["anonymous", "editor", "other_editor"])
def test_departments_are_public(client_for, departments, role):
    body = client_for(role).get("/api/v1/departments/").json()
    assert {d["code"] for d in body["results"]} == {"fgw", "scjgj"}
    detail = client_for("anonymous").get("/api/v1/departments/fgw/").json()
    assert detail["name_zh"] == "区发展改革委"
    assert client_for("anonymous").get("/api/v1/departments/nope/").status_code == 404


def test_token_login(client_for, users):
    client = client_for("anonymous")
    response = client.post(
        "/api/v1/auth/token/", {"username": "editor", "password": "pw-editor"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = {"department": "fgw", "name": "通知", "date_made": "2026-11-02"}
    assert client.post("/api/v1/test-notices/", body, format="json").status_code == 201
    bad = client_for("anonymous").post("/api/v1/auth/token/", {"username": "editor"}, format="json")
    assert bad.status_code == 400 and "password" in bad.json()["errors"]


def test_anonymous_cannot_write(client_for, departments):
    response = client_for("anonymous").post(
        "/api/v1/test-notices/",
        {"department": "fgw", "name": "x", "date_made": "2026-11-02"},
        format="json",
    )
    assert response.status_code == 401
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "query, field",
    [
        ("?departmnet=fgw", "departmnet"),
        ("?status=bogus", "status"),
        ("?date_made_after=yesterday", "date_made_after"),
        ("?updated_since=0001-01-01T00:00:00%2B08:00", "updated_since"),  # before year 1 in UTC
        ("?updated_before=9999-12-31T23:00:00-05:00", "updated_before"),  # after year 9999
        ("?page_size=0", "page_size"),
        ("?page_size=501", "page_size"),
        ("?cursor=not-a-cursor", "cursor"),
        ("?department=no-such-department", "department"),
    ],
)
def test_bad_list_parameters_are_400_naming_the_field(client_for, departments, query, field):
    response = client_for("anonymous").get(f"/api/v1/test-notices/{query}")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert field in response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/decisions/?public_interest_high=",
        "/api/v1/consultations/?is_open=",
        "/api/v1/enforcement-actions/?overdue=",
        "/api/v1/investment-projects/?disclosure_required=",
    ],
)
def test_boolean_filters_take_true_or_false_and_refuse_anything_else(client_for, departments, url):
    """Django's boolean field reads a value it does not know as no value, so the filter was
    silently left out (found by contract fuzzing: ?public_interest_high=1145 listed all)."""
    client = client_for("anonymous")
    for value in ("true", "false", "1", "0", ""):
        assert client.get(url + value).status_code == 200, value
    for value in ("1145", "yes", "null"):
        response = client.get(url + value)
        assert response.status_code == 400, value
        assert list(response.json()["errors"]) == [url.split("?")[1][:-1]]


@pytest.mark.parametrize("offset", ["+21:00", "-18:39", "+15:59"])
def test_update_times_take_any_iso_8601_offset(client_for, departments, users, offset):
    """PostgreSQL refuses offsets beyond ±15:59 (found by contract fuzzing: a 500); the
    filter applies the offset itself."""
    record = notice(departments["fgw"], users["editor"], publish_by=users["publisher"])
    response = client_for("anonymous").get(
        "/api/v1/test-notices/", {"updated_since": f"2000-01-01T00:00:00{offset}"}
    )
    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()["results"]] == [record.pk]


def test_null_characters_name_nothing(client_for, departments):
    """PostgreSQL text cannot hold a NUL character, nor be compared with one (found by
    contract fuzzing: a 500): a code with one names no department."""
    body = {"department": "fgw\x00", "name": "通知", "date_made": "2026-11-02"}
    response = client_for("editor").post("/api/v1/test-notices/", body, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["department"]
    assert client_for("anonymous").get("/api/v1/departments/fg%00w/").status_code == 404


def test_malformed_id_is_400(client_for, departments):
    response = client_for("anonymous").get("/api/v1/test-notices/abc/")
    assert response.status_code == 400
    assert "id" in response.json()["errors"]
    assert client_for("anonymous").get("/api/v1/test-notices/999999/").status_code == 404


def test_unknown_path_is_json_404(client):
    response = client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_keyset_pagination_walks_everything_once(client_for, departments, users):
    records = [
        notice(departments["fgw"], users["editor"], publish_by=users["publisher"]) for _ in range(7)
    ]
    client, url, seen = client_for("anonymous"), "/api/v1/test-notices/?page_size=3", []
    while url:
        page = client.get(url).json()
        seen += [r["id"] for r in page["results"]]
        url = page["next"]
    assert seen == sorted((r.pk for r in records), reverse=True)


def test_list_query_count_does_not_grow_with_page_size(client_for, departments, users):
    for _ in range(12):
        notice(departments["fgw"], users["editor"], publish_by=users["publisher"])
    counts = {}
    for role in ("anonymous", "editor"):
        client = client_for(role)
        for size in (1, 10):
            client.get("/api/v1/test-notices/?page_size=1")  # warm the token/user caches
            with CaptureQueriesContext(connection) as queries:
                assert client.get(f"/api/v1/test-notices/?page_size={size}").status_code == 200
            counts[role, size] = len(queries)
        assert counts[role, 1] == counts[role, 10], counts
    with CaptureQueriesContext(connection) as queries:
        client_for("anonymous").get("/api/v1/departments/?page_size=2")
    small = len(queries)
    with CaptureQueriesContext(connection) as queries:
        client_for("anonymous").get("/api/v1/departments/?page_size=50")
    assert len(queries) == small


def test_every_response_has_a_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert first and second and first != second
    assert client.get("/healthz", HTTP_X_REQUEST_ID="bad id!")["X-Request-ID"] != "bad id!"


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/", "/graphql/"])
def test_docs_pages_use_no_cdn(client, path):
    response = client.get(path, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    html = response.content.decode()
    external = [
        u
        for u in re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
        if re.match(r"(https?:)?//", u)
    ]
    assert external == []


def test_schema_endpoint(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/v1/departments/" in response.json()["paths"]


def test_graphql_with_token_and_utf8(client_for, departments, users):
    draft = notice(departments["fgw"], users["editor"])
    assert draft.pk
    query = '{ departments(kind: "department") { edges { node { code nameZh } } } }'
    response = client_for("editor").post("/graphql/", {"query": query}, format="json")
    assert response.status_code == 200
    assert "区发展改革委".encode() in response.content  # raw UTF-8, not \\u escapes
    names = {e["node"]["code"] for e in response.json()["data"]["departments"]["edges"]}
    assert names == {"fgw", "scjgj"}
    bad = client_for("anonymous").post(
        "/graphql/",
        {"query": "{ departments { x } }"},
        format="json",
        HTTP_AUTHORIZATION="Token nope",
    )
    assert bad.status_code == 401


def test_admin_is_chinese_and_scoped(client, users, departments):
    client.force_login(users["editor"])
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "政务公开登记系统" in response.content.decode()


def test_each_resource_resolves_under_its_own_prefix():
    """The router nests each resource's routes under one ``<prefix>/`` pattern (a flat list
    made Django try ~130 patterns to reach resources far down it), with the same names."""
    from django.urls import get_resolver, resolve, reverse

    from registry.api.router import resources

    api = next(p for p in get_resolver().url_patterns if str(p.pattern) == "api/v1/")
    router = api.url_patterns[-1]
    assert len(router.url_patterns) == len(resources()) + 1  # the API root, then one each
    for prefix, _viewset in resources():
        assert reverse(f"{prefix}-list") == f"/api/v1/{prefix}/"
        assert resolve(f"/api/v1/{prefix}/").url_name == f"{prefix}-list"
