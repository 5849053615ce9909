"""The benchmark's smoke run (``bench/``): on a small generated data set every case runs,
answers, and issues the number of SQL queries ``bench/RESULTS.md`` reports — query counts are
asserted, timings are not (those come from ``make bench`` as a whole process)."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test import Client

from bench import capture, cases, reference, sequential
from bench import context as bench_context
from tests.world import module_world

pytestmark = pytest.mark.xdist_group("bench_smoke")

SCALE = 0.002  # 2,000 enforcement decisions, 200 major decisions, 600 comments, 100 projects


def build():
    from bench.generate import generate

    return generate(connection.connection, SCALE, seed=1)


world = module_world(build)


@pytest.fixture
def context(world, db):
    return bench_context.build()


@pytest.mark.parametrize("case", cases.THROUGHPUT, ids=lambda case: case.name)
def test_every_request_case_answers_with_its_queries(context, case):
    result = capture.capture(case.request(context))
    assert result.status == 200, result.body[:500]
    assert result.rows > 0
    assert result.queries == case.queries, result.statements


@pytest.mark.parametrize("case", cases.THROUGHPUT, ids=lambda case: case.name)
def test_the_reference_runs_the_same_sql_and_reads_the_same_rows(context, case):
    result = capture.capture(case.request(context))
    answered = reference.run(connection.connection, result.statements)
    # The page's rows (one more: the keyset look-ahead) are among the rows it read.
    assert max(len(rows) for rows in answered) >= result.rows


def test_the_deep_page_starts_at_its_depth(context):
    from enforcement.models import EnforcementAction

    assert context.deep_depth > 0 and context.deep_cursor
    deep = capture.capture(cases.THROUGHPUT[1].request(context))
    listed = (
        EnforcementAction.objects.public()
        .filter(department__code=context.department)
        .order_by("-id")
        .values_list("id", flat=True)
    )
    depth = context.deep_depth
    assert [row["id"] for row in json.loads(deep.body)["results"]] == list(
        listed[depth : depth + 50]
    )


def test_the_export_and_its_copy_reference_give_every_public_decision(context):
    from enforcement.models import EnforcementAction

    result = capture.capture(cases.Request(cases.EXPORT_URI))
    assert result.status == 200
    exported = list(csv.reader(io.StringIO(result.body.decode("utf-8-sig"))))
    public = EnforcementAction.objects.public().count()
    assert len(exported) - 1 == public > 0
    copied = sequential.copy_rows_per_second(connection.connection, capture.export_select())
    assert copied["rows"] == public


def test_the_feed_walk_reads_every_public_event(context):
    from registry.models import AuditEntry

    client, uri, events = Client(), cases.FEED_URI, 0
    while True:
        page = client.get(uri).json()
        events += len(page["results"])
        if not page["results"]:
            break
        uri = page["next"]
    assert events == AuditEntry.objects.filter(is_public=True).count() > 0


def test_creates_and_the_import_are_accepted(context):
    client = Client(headers={"Authorization": f"Token {context.editor_token}"})
    created = client.post(
        "/api/v1/enforcement-actions/",
        data=cases.create_payload(context, "smoke-1"),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    upload = io.BytesIO(sequential.import_csv(context, 50))
    upload.name = "import.csv"
    imported = client.post(cases.IMPORT_URI, {"file": upload})
    assert imported.status_code == 201, imported.content
    assert imported.json()["created"] == 50


def test_a_given_database_url_starts_no_private_cluster(monkeypatch):
    """Finding ``run.py``'s default database starts the project's private cluster; a run
    given ``--database-url`` must not (it left a cluster running after every bench run)."""
    from bench import run
    from registry import devdb

    def refuse():
        raise AssertionError("the private cluster was started")

    monkeypatch.setattr(devdb, "ensure_running", refuse)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = "postgres://postgres@127.0.0.1:5432/registry_bench"
    assert run.arguments(["--database-url", url]).database_url == url
    with pytest.raises(AssertionError, match="private cluster"):
        run.arguments([])
