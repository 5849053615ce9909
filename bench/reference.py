"""The reference of the benchmark: the fastest a Python WSGI app can answer the same request.

It knows nothing of Django. For each request URI of the plan (``BENCH_PLAN``, a JSON file
written by ``bench/run.py``) it runs, through one persistent psycopg connection per worker,
exactly the SQL statements the registry issued for that URI and ``Authorization`` header
(captured in-process), verbatim and in order, and answers the rows of every statement as JSON
encoded by orjson. The registry's throughput
divided by this one's, measured in the same run on the same gunicorn configuration, is the
share of the raw-SQL limit reported in ``bench/RESULTS.md``.

Serve it with ``gunicorn bench.reference:application --config registry/gunicorn_conf.py``.
"""

import json
import os

import orjson
import psycopg

_plan = None
_connection = None


def load_plan(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def connect():
    """One connection per worker process, opened on its first request."""
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    return _connection


def plan_key(uri, authorization=""):
    return f"{authorization} {uri}"


def run(connection, statements):
    """The rows of each statement (as lists of dicts), running them in order."""
    results = []
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement.encode())
            if cursor.description is not None:
                names = [column.name for column in cursor.description]
                results.append([dict(zip(names, row, strict=True)) for row in cursor.fetchall()])
    return results


def _default(value):
    return str(value)  # Decimal, and anything else orjson does not encode natively


def application(environ, start_response):
    global _plan
    if _plan is None:
        _plan = load_plan(os.environ["BENCH_PLAN"])
    uri = environ.get("PATH_INFO", "")
    if environ.get("QUERY_STRING"):
        uri = f"{uri}?{environ['QUERY_STRING']}"
    statements = _plan.get(plan_key(uri, environ.get("HTTP_AUTHORIZATION", "")))
    if statements is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not in the plan\n"]
    body = orjson.dumps(run(connect(), statements), default=_default)
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]
