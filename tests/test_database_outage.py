"""While the database cannot be reached (PostgreSQL stopped or restarting), every surface
fails cleanly and at once: 503 with ``Retry-After`` and a JSON body (GraphQL's too), never
a 500, a traceback or a hang. ``bench/load.py`` restarts a real server under load; the
first request after the database came back succeeding is tested against a real server in
``tests/test_faults.py``."""

import psycopg
import pytest
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper
from django.test import Client

from registry.api.errors import DATABASE_RETRY_AFTER
from registry.ratelimits import counting

pytestmark = pytest.mark.django_db(transaction=True)

REFUSED = 'connection to server at "127.0.0.1", port 5432 failed: Connection refused'


@pytest.fixture
def database_down(transactional_db, monkeypatch):
    """New connections are refused, as while PostgreSQL is down; the open one is closed."""

    def refuse(self, params):
        raise psycopg.OperationalError(REFUSED)

    connection.close()
    monkeypatch.setattr(DatabaseWrapper, "get_new_connection", refuse)
    yield
    monkeypatch.undo()


def assert_unavailable(response):
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == str(DATABASE_RETRY_AFTER)
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["detail"] == "数据库暂时无法处理请求，请稍后重试。"
    assert "5432" not in response.content.decode()  # nothing of the connection leaks
    return body


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/decisions/",
        "/api/v1/enforcement-actions/1/",
        "/api/v1/changes/",
        "/feeds/publications.atom",
        "/healthz",
    ],
)
def test_reads_answer_503_with_retry_after(database_down, url):
    body = assert_unavailable(Client(raise_request_exception=False).get(url))
    assert body["request_id"]


def test_writes_and_graphql_answer_503(database_down):
    client = Client(raise_request_exception=False)
    assert_unavailable(
        client.post(
            "/api/v1/consultations/1/comments/",
            {"content": "意见"},
            content_type="application/json",
        )
    )
    assert_unavailable(
        client.post("/graphql/", {"query": "{ decisions { totalCount } }"}, "application/json")
    )


def test_english_message(database_down):
    response = Client(raise_request_exception=False).get(
        "/api/v1/decisions/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 503
    assert response.json()["detail"] == (
        "The database cannot handle the request right now; please try again later."
    )


def test_graphql_answers_503_when_the_view_meets_the_outage(database_down, monkeypatch):
    """With the rate limits counted in Redis the request reaches the GraphQL view, which
    answers errors as GraphQL results: an unreachable database is still a 503, not a 400
    carrying the driver's message."""

    def counted_elsewhere(bucket, rate):
        return counting.Decision(rate=rate, count=1, reset=60)

    monkeypatch.setattr(counting, "hit", counted_elsewhere)
    client = Client(raise_request_exception=False)
    assert_unavailable(
        client.post("/graphql/", {"query": "{ decisions { totalCount } }"}, "application/json")
    )
    assert_unavailable(client.get("/api/v1/decisions/"))


def test_graphql_answers_503_when_the_connection_is_cut_mid_query(transactional_db, monkeypatch):
    """A connection cut while the query's fields resolve comes back as a field error from
    graphql-core; it too is the database failing, not the query."""
    from django.db import OperationalError
    from graphql import ExecutionResult, GraphQLError

    from registry.graphql import views

    cut = OperationalError("terminating connection due to administrator command")
    monkeypatch.setattr(
        views,
        "execute",
        lambda *args, **kwargs: ExecutionResult(
            data={"decisions": None},
            errors=[GraphQLError(str(cut), path=["decisions"], original_error=cut)],
        ),
    )
    response = Client(raise_request_exception=False).post(
        "/graphql/", {"query": "{ decisions { totalCount } }"}, "application/json"
    )
    assert_unavailable(response)
    assert "administrator" not in response.content.decode()


def test_other_errors_stay_500(transactional_db, settings):
    from django.urls import path

    import registry.urls

    def broken(request):
        raise RuntimeError("a bug")

    settings.ROOT_URLCONF = type(
        "Urls", (), {"urlpatterns": [path("boom", broken)], "handler500": registry.urls.handler500}
    )
    response = Client(raise_request_exception=False).get("/boom")
    assert response.status_code == 500 and not response.has_header("Retry-After")


def _serve(path, **headers):
    """``path`` through the WSGI application the server runs: (status, headers, body).
    ``start_response`` must be called once (gunicorn would add a second call's headers
    to the first's), and no header twice."""
    import io

    from registry.wsgi import application

    started = []
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path.partition("?")[0],
        "QUERY_STRING": path.partition("?")[2],
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
    }
    body = application(
        environ, lambda status, headers, exc_info=None: started.append((status, headers))
    )
    try:
        content = b"".join(body)
    finally:
        getattr(body, "close", lambda: None)()
    assert len(started) == 1, started
    status, sent = started[0]
    names = [name.lower() for name, _value in sent]
    assert len(names) == len(set(names)), sent
    return status, dict(sent), content


def test_a_download_failing_before_its_first_byte_is_a_503(transactional_db, monkeypatch):
    """The database failing after the download's manifest was written, as its read starts:
    the server is answered the 503 a failing view gives, not its bare 500 page; a download
    that works streams as before."""
    import json

    from django.db import OperationalError

    from registry.exports import streaming

    status, _headers, content = _serve("/api/v1/departments/bulk-export/?format=ndjson")
    assert status.startswith("200") and content == b""  # no department: no line

    def cut():
        raise OperationalError("terminating connection due to administrator command")

    monkeypatch.setattr(streaming, "last_public_seq", cut)
    status, headers, content = _serve("/api/v1/departments/bulk-export/?format=csv")
    assert status.startswith("503") and headers["Retry-After"] == str(DATABASE_RETRY_AFTER)
    assert json.loads(content)["detail"] == "数据库暂时无法处理请求，请稍后重试。"
    assert headers["Content-Type"] == "application/json"
    assert "Content-Disposition" not in headers and "X-Export-Manifest" not in headers
    assert json.loads(content)["request_id"] == headers["X-Request-ID"] != ""
    assert "Content-Security-Policy" in headers

    status, headers, content = _serve(
        "/api/v1/departments/bulk-export/?format=csv",
        x_request_id="request-abc123",
        accept_language="en",
    )
    assert status.startswith("503") and headers["X-Request-ID"] == "request-abc123"
    assert json.loads(content) == {
        "detail": "The database cannot handle the request right now; please try again later.",
        "request_id": "request-abc123",
    }
