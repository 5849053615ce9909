"""Runs a request through the registry in-process (Django's test client, the full
middleware stack) and records the SQL it issued: the count is asserted by the smoke test and
reported per case, and the statements become the reference's plan."""

import dataclasses
import json

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

# Statements that set up or end a transaction rather than read or write data.
CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET ", "SELECT SET_CONFIG(")


def is_control(sql):
    return sql.lstrip().upper().startswith(CONTROL)


@dataclasses.dataclass
class Captured:
    status: int
    statements: list
    rows: int  # result rows in the answer (REST ``results`` or GraphQL ``nodes``)
    body: bytes

    @property
    def queries(self):
        """The data queries (transaction control left out; the reference runs it too)."""
        return sum(not is_control(statement) for statement in self.statements)


def answer_rows(body):
    """The number of rows a list answer carries (REST page or one GraphQL connection)."""
    data = json.loads(body)
    if "results" in data:
        return len(data["results"])
    connection_data = next(iter(data["data"].values()))
    return len(connection_data["nodes"])


def capture(request, method="get", data=None):
    """The request's statements as in a running server: a GET is made once before, so the
    process's caches (prepared lists, department codes) are warm as they are under load."""
    headers = {name: value for name, value in request.headers}
    client = Client(headers=headers)
    if method == "get":
        client.get(request.uri)
    with CaptureQueriesContext(connection) as queries:
        if method == "get":
            response = client.get(request.uri)
        else:
            response = client.post(request.uri, data=data, content_type="application/json")
        body = b"".join(response.streaming_content) if response.streaming else response.content
    is_json = response.get("Content-Type", "").startswith("application/json")
    rows = answer_rows(body) if response.status_code == 200 and is_json else 0
    statements = [q["sql"] for q in queries.captured_queries if not is_rate_counter(q["sql"])]
    return Captured(response.status_code, statements, rows, body)


def is_rate_counter(sql):
    """The rate-limit counter's statement (when counted in PostgreSQL): it is the limiter's
    cost, reported apart from the query count of the page."""
    return "ratelimits_counter" in sql


def export_select():
    """The reference of the export case: the SELECT of the rows and columns the export
    renders (its filters, permission path and order; the columns its row plan reads), as
    plain values for ``COPY``. The export itself has PostgreSQL render the cells from them
    (``registry/exports/copy_csv.py``)."""
    from enforcement.api.views import EnforcementActionViewSet
    from registry.api.router import public_viewset

    viewset = public_viewset("enforcement-actions", EnforcementActionViewSet, {"format": "csv"})
    queryset = viewset.row_plan().values(viewset.export_queryset())
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        return cursor.cursor.mogrify(sql, params)
