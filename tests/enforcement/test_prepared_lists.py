"""Prepared list queries (``registry/api/prepared.py``): a list request's queryset is built
once per shape and reused, and must never show one reader what another may see, nor survive
what it depends on — the date, the reader's global permissions — changing."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.authtoken.models import Token

from enforcement.models import EnforcementAction
from registry.api import prepared
from registry.api.authentication import read_token
from registry.choices import Role
from registry.permissions import MemberScope as member_scope_of
from registry.services import roles
from tests.enforcement import builders

LIST = "/api/v1/enforcement-actions/"


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def actions(power, users):
    """Three published decisions and one draft of ``fgw``."""
    published = [
        builders.penalty(
            power, users["editor"], publisher=users["publisher"], document_number=f"罚〔2026〕{n}号"
        )
        for n in range(3)
    ]
    draft = builders.penalty(power, users["editor"], document_number="罚〔2026〕9号")
    return published, draft


def test_the_same_request_builds_its_query_once(actions, client_for, monkeypatch):
    from enforcement.api.views import EnforcementActionViewSet

    built = []
    original = EnforcementActionViewSet.filter_queryset
    monkeypatch.setattr(
        EnforcementActionViewSet,
        "filter_queryset",
        lambda self, qs: built.append(1) or original(self, qs),
    )
    client = client_for("anonymous")
    first = ids(client.get(LIST, {"department": "fgw"}))
    second = ids(client.get(LIST, {"department": "fgw"}))
    assert first == second and len(first) == 3
    assert len(built) == 1 and len(prepared.QUERIES) == 1


def test_pages_of_one_list_share_the_query_and_walk_it_whole(actions, client_for):
    published, _draft = actions
    client = client_for("anonymous")
    seen, url = [], f"{LIST}?department=fgw&page_size=1"
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == sorted((a.pk for a in published), reverse=True)
    assert len(prepared.QUERIES) == 1


@pytest.mark.parametrize("order", [("editor", "anonymous"), ("anonymous", "editor")])
def test_readers_never_share_a_prepared_query(actions, client_for, order):
    published, draft = actions
    seen = {reader: ids(client_for(reader).get(LIST, {"department": "fgw"})) for reader in order}
    seen["other_editor"] = ids(client_for("other_editor").get(LIST, {"department": "fgw"}))
    assert draft.pk in seen["editor"]
    assert draft.pk not in seen["anonymous"] and draft.pk not in seen["other_editor"]
    assert len(prepared.QUERIES) == 3


def test_a_new_day_prepares_a_new_query(actions, client_for, monkeypatch):
    """A decision whose display period ends today leaves the public list tomorrow, though
    the request is the same."""
    published, _draft = actions
    today = timezone.localdate()
    EnforcementAction.objects.filter(pk=published[0].pk).update(display_until=today)
    client = client_for("anonymous")
    assert published[0].pk in ids(client.get(LIST, {"department": "fgw"}))
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: today + datetime.timedelta(1))
    assert published[0].pk not in ids(client.get(LIST, {"department": "fgw"}))
    assert len(prepared.QUERIES) == 2


def test_granted_and_revoked_roles_take_effect_at_once(actions, client_for, users, departments):
    _published, draft = actions
    client = client_for("other_editor")
    assert draft.pk not in ids(client.get(LIST))
    roles.grant_role(users["other_editor"], Role.OVERSIGHT)  # a global permission
    assert draft.pk in ids(client.get(LIST))
    roles.revoke_role(users["other_editor"], Role.OVERSIGHT)
    assert draft.pk not in ids(client.get(LIST))
    roles.grant_role(users["other_editor"], Role.EDITOR, departments["fgw"])  # a subquery
    assert draft.pk in ids(client.get(LIST))


def test_invalid_requests_are_not_prepared(actions, client_for):
    client = client_for("anonymous")
    for _ in range(2):
        response = client.get(LIST, {"decision_date_after": "yesterday"})
        assert response.status_code == 400
        assert "decision_date_after" in response.json()["errors"]
    assert len(prepared.QUERIES) == 0


def test_a_token_list_reads_the_readers_permissions_with_the_token(actions, client_for, users):
    """One query for the token, the user, its global permissions and its departments; one
    for the page, which needs no permission table (the rate limiter's counter aside)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.capture import is_control, is_rate_counter

    _published, draft = actions
    client = client_for("editor")
    ids(client.get(LIST))  # the first request prepares the page's query
    with CaptureQueriesContext(connection) as queries:
        listed = ids(client.get(LIST))
    data = [
        q["sql"]
        for q in queries.captured_queries
        if not is_control(q["sql"]) and not is_rate_counter(q["sql"])
    ]
    assert draft.pk in listed
    assert len(data) == 2, data
    assert "authtoken_token" in data[0] and "auth_permission" in data[0]
    # The page takes the departments read with the token, not a subquery of permissions.
    assert "objectpermission" not in data[1] and "auth_permission" not in data[1]
    # Held through a group and directly: both are read.
    roles.grant_role(users["editor"], Role.OVERSIGHT)
    users["editor"].user_permissions.add(
        Permission.objects.get(codename="review_legality", content_type__app_label="registry")
    )
    request = RequestFactory().get(LIST, HTTP_AUTHORIZATION="Token x")
    token = Token.objects.get(user=users["editor"])
    user = read_token(request, token.key).user
    assert user.has_perm("registry.oversee_all") and user.has_perm("registry.review_legality")
    assert member_scope_of(user).everything
    assert read_token(RequestFactory().get(LIST), "no-such-key") is None


def test_pages_bind_the_cursor_to_statements_compiled_once(actions, client_for, monkeypatch):
    """Walking a list forward and back compiles one statement per page shape (first page,
    following pages, previous pages), however many pages there are."""
    published, _draft = actions
    compiled = []
    original = prepared._Statement.__init__
    monkeypatch.setattr(
        prepared._Statement,
        "__init__",
        lambda self, queryset: compiled.append(1) or original(self, queryset),
    )
    client = client_for("anonymous")
    forward, url, last = [], f"{LIST}?department=fgw&page_size=1", None
    while url:
        body = client.get(url).json()
        forward += [row["id"] for row in body["results"]]
        url, last = body["next"], body
    backward, url = [], last["previous"]
    while url:
        body = client.get(url).json()
        backward += [row["id"] for row in body["results"]]
        url = body["previous"]
    newest_first = sorted((a.pk for a in published), reverse=True)
    assert forward == newest_first and backward == newest_first[:-1][::-1]
    assert len(compiled) == 3


def test_a_public_page_reads_the_published_rows_index_past_any_number_of_drafts(
    actions, client_for
):
    """A department that imports its case system's decisions as drafts must not make every
    public page skip them: the page's statement reads the partial index of published rows."""
    from django.db import connection, transaction

    published, draft = actions
    copies = []
    for n in range(300):
        copy = EnforcementAction.objects.get(pk=draft.pk)
        copy.pk, copy.index_number, copy.document_number = None, f"X/{n}", f"草〔2026〕{n}号"
        copies.append(copy)
    EnforcementAction.objects.bulk_create(copies)
    client = client_for("anonymous")
    assert ids(client.get(LIST, {"department": "fgw"})) == sorted(
        (a.pk for a in published), reverse=True
    )
    [statement] = next(iter(prepared.QUERIES._entries.values())).statements.values()
    params = [published[-1].pk + 1 if p is prepared.POSITION else p for p in statement.params]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("ANALYZE enforcement_enforcementaction")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + statement.sql, params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    # (Either index of published rows: with a few rows the planner may take either.)
    assert "action_public_department_idx" in plan or "action_public_idx" in plan, plan


def test_page_statements_load_times_natively_with_the_values_django_loads(db):
    """Django's ``timestamptz`` loader is Python (~4 µs a value); a page statement's cursor
    uses psycopg's own, which must give the same aware datetimes."""
    import psycopg
    from django.db import connection
    from psycopg.pq import Format

    from registry.querying import load_times_natively

    oid = psycopg.postgres.types["timestamptz"].oid
    sql = "SELECT %s::timestamptz, %s::timestamptz"
    moments = [
        datetime.datetime(2026, 11, 28, 16, 0, 0, 123456, tzinfo=datetime.UTC),
        datetime.datetime(1988, 7, 1, 3, 4, 5, tzinfo=datetime.UTC),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, moments)
        by_django = cursor.fetchone()
    with connection.cursor() as cursor:
        load_times_natively(cursor)
        assert cursor.cursor.adapters.get_loader(oid, Format.TEXT) is psycopg.adapters.get_loader(
            oid, Format.TEXT
        )
        cursor.execute(sql, moments)
        native = cursor.fetchone()
    assert list(native) == list(by_django) == moments
    assert [value.utcoffset() for value in native] == [datetime.timedelta(0)] * 2


def test_list_pages_are_read_through_the_native_time_loader(actions, client_for, monkeypatch):
    """The loader above is what a list page's statement reads with."""
    from registry.querying import load_times_natively

    used = []

    def spy(cursor):
        used.append(cursor)
        load_times_natively(cursor)

    monkeypatch.setattr(prepared, "load_times_natively", spy)
    assert len(ids(client_for("anonymous").get(LIST, {"department": "fgw"}))) == 3
    assert used


def test_the_token_read_is_prepared_and_planned_generically(actions, client_for):
    """The token read runs on every authenticated request; PostgreSQL keeps its plan (a
    generic one: ``plan_cache_mode``) instead of planning it each time. While queries are
    logged, the log still holds it with its values."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("editor")
    for _ in range(7):
        assert len(ids(client.get(LIST, {"department": "fgw"}))) == 4
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            ['SELECT "authtoken_token"."key"%'],
        )
        [(generic, custom)] = cursor.fetchall()
    assert generic >= 7 and custom == 0
    with CaptureQueriesContext(connection) as logged:
        assert len(ids(client.get(LIST, {"department": "fgw"}))) == 4
    token_sql = [q["sql"] for q in logged.captured_queries if '"authtoken_token"' in q["sql"]]
    assert token_sql and "$1" not in token_sql[0]


@pytest.mark.parametrize("format", [None, "csv", "ndjson"])
def test_a_filter_value_beyond_its_column_lists_nothing(body, users, client_for, format):
    """A year no row can hold (the column is a small positive integer) is a condition Django
    compiles to nothing: the prepared page statement and the CSV ``COPY`` still run it."""
    builders.plan(body, users["editor"], publisher=users["publisher"])
    client = client_for("anonymous")
    url = "/api/v1/inspection-plans/" + ("bulk-export/" if format else "")
    for year in (-1, 70000):
        response = client.get(url, {"year": year, **({"format": format} if format else {})})
        assert response.status_code == 200, response.content
        body_bytes = b"".join(response.streaming_content) if format else response.content
        if format is None:
            assert response.json()["results"] == []
        elif format == "csv":
            assert body_bytes.decode().count("\n") == 1  # the header alone
        else:
            assert body_bytes == b""


def _prepared_page_statements():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            ['SELECT "enforcement_enforcementaction"."id"%'],
        )
        return cursor.fetchall()


def test_a_recurring_page_statement_is_prepared_with_its_values_written_in(actions, client_for):
    """A list's following pages share one statement whose text holds every value but the
    cursor's position (bound on the server): once it recurs, PostgreSQL keeps it prepared
    instead of planning it for every page; the constants the partial indexes are chosen by
    stay in the text."""
    published, _draft = actions
    client = client_for("anonymous")
    for _ in range(3):
        walked, url = [], f"{LIST}?department=fgw&page_size=1"
        while url:
            body = client.get(url).json()
            walked += [row["id"] for row in body["results"]]
            url = body["next"]
        assert walked == sorted((a.pk for a in published), reverse=True)
    [(statement, generic, custom)] = [row for row in _prepared_page_statements() if "$1" in row[0]]
    # 6 runs of the following pages: prepared at the 5th, then planned once, generically
    # (a custom plan, which PostgreSQL would otherwise keep choosing, is planned every run).
    assert generic >= 1 and custom == 0
    assert "'published'" in statement and "= 'fgw'" in statement
    assert statement.count("$1") == 1 and "%s" not in statement


@pytest.mark.parametrize("term", ["100%", "a_b", "O'Brien", "\\x", "%"])
def test_values_written_into_a_page_statement_read_as_bound_ones(body, users, client_for, term):
    """Percent signs, quotes and backslashes in a filter value are written into the page's
    text exactly as Django's cursor writes them: the search finds what it finds through the
    logged (client-bound) path, and nothing else."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    power = builders.power(body, users["editor"], publisher=users["publisher"])
    for n, name in enumerate(["甲公司100%", "甲a_b", "O'Brien", "\\x1", "乙"]):
        builders.penalty(
            power,
            users["editor"],
            publisher=users["publisher"],
            document_number=f"罚〔2026〕{n}号",
            party_name=name,
        )
    client = client_for("anonymous")
    bound = [ids(client.get(LIST, {"q": term, "department": "fgw"})) for _ in range(6)]
    with CaptureQueriesContext(connection):
        logged = ids(client.get(LIST, {"q": term, "department": "fgw"}))
    assert all(found == logged for found in bound) and logged
    expected = EnforcementAction.objects.filter(party_name__icontains=term).count()
    assert len(logged) == expected
