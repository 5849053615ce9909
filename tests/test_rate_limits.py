"""API keys and rate limits (docs/rate_limits.md): the headers, 429 with Retry-After,
anonymous versus keyed rates, refused keys, per-user counting of tokens and sessions, window
turnover, the comment throttle in the same counter, both counters atomic under concurrency,
and the limit holding across two separate server processes (PostgreSQL and Redis)."""

import contextlib
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from rest_framework.test import APIClient

from registry.models import Department
from registry.ratelimits import counting
from registry.ratelimits.keys import issue_key, revoke_keys
from registry.ratelimits.middleware import RateLimitMiddleware
from registry.ratelimits.models import ApiKey, Counter
from registry.ratelimits.rates import Rate, parse_rate
from registry.services.roles import grant_role
from tests.decisions import builders
from tests.world import api_client, create_user, tokens_for

ROOT = Path(__file__).resolve().parent.parent
URL = "/api/v1/departments/"
GRAPHQL_QUERY = {"query": "{ __typename }"}
REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own, keys under a test prefix


@pytest.fixture
def small_limits(settings):
    settings.REGISTRY_RATE_LIMITS = {"anonymous": "3/minute", "keyed": "5/minute"}


def advance(monkeypatch, seconds):
    """Move the rate-limit clock (stopped by the autouse fixture) forward."""
    now = counting.clock() + seconds
    monkeypatch.setattr(counting, "clock", lambda: now)


def limit_headers(response):
    return tuple(
        int(response[name])
        for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")
    )


def statuses(client, count, url=URL, **extra):
    return [client.get(url, **extra).status_code for _ in range(count)]


# ---------------------------------------------------------------------------------------------
# Rates and headers


def test_rates_parse_and_a_bad_setting_is_a_configuration_error(settings):
    assert parse_rate("120/minute") == Rate(120, 60)
    assert parse_rate("10/hour") == parse_rate("10/h") == parse_rate("10/hours")
    assert str(parse_rate("5000/day")) == "5000/day"
    for bad in ("0/minute", "ten/minute", "10/fortnight", "10", ""):
        with pytest.raises(ValueError):
            parse_rate(bad)
    settings.REGISTRY_RATE_LIMITS = {"anonymous": "120/minute", "keyed": "lots"}
    with pytest.raises(ImproperlyConfigured, match=r"REGISTRY_RATE_LIMITS\['keyed'\].*'lots'"):
        RateLimitMiddleware(lambda request: None)
    settings.REGISTRY_RATE_LIMITS = {"anonymous": "120/minute"}
    with pytest.raises(ImproperlyConfigured, match="keyed"):
        RateLimitMiddleware(lambda request: None)


@pytest.mark.django_db
def test_counted_responses_carry_the_headers(small_limits, client):
    response = client.get(URL)
    assert response.status_code == 200
    limit, remaining, reset = limit_headers(response)
    assert (limit, remaining) == (3, 2) and 1 <= reset <= 60
    graphql = APIClient().post("/graphql/", GRAPHQL_QUERY, format="json")
    assert graphql.status_code == 200 and limit_headers(graphql)[:2] == (3, 1)
    feed = client.get("/feeds/publications.atom")
    assert feed.status_code == 200 and limit_headers(feed)[:2] == (3, 0)
    for path in ("/healthz", "/api/docs/", "/api/redoc/", "/admin/login/", "/static/x.css"):
        assert "X-RateLimit-Limit" not in client.get(path), path


@pytest.mark.django_db
def test_over_the_limit_is_429_with_retry_after(small_limits, client):
    window_end = (int(counting.clock()) // 60 + 1) * 60
    responses = [client.get(URL) for _ in range(5)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429, 429]
    assert [int(r["X-RateLimit-Remaining"]) for r in responses] == [2, 1, 0, 0, 0]
    limited = responses[3]
    limit, remaining, reset = limit_headers(limited)
    assert (limit, remaining) == (3, 0)
    assert int(limited["Retry-After"]) == reset == window_end - int(counting.clock())
    assert limited["Content-Type"] == "application/json"
    assert limited.json() == {"detail": f"请求过于频繁：每分钟最多 3 次，请在 {reset} 秒后重试。"}
    assert limited["X-Request-ID"]  # the outer middleware still runs
    graphql = APIClient().post("/graphql/", GRAPHQL_QUERY, format="json")
    assert graphql.status_code == 429 and graphql["Retry-After"] == str(reset)
    assert graphql.json()["errors"][0]["message"].startswith("请求过于频繁")


@pytest.mark.django_db
def test_window_resets(small_limits, client, monkeypatch):
    assert statuses(client, 4) == [200, 200, 200, 429]
    reset = int(client.get(URL)["X-RateLimit-Reset"])
    advance(monkeypatch, reset - 1)  # one second before the turn: still refused
    refused = client.get(URL)
    assert refused.status_code == 429 and refused["Retry-After"] == "1"
    advance(monkeypatch, 1)  # a new window
    fresh = client.get(URL)
    assert fresh.status_code == 200 and limit_headers(fresh) == (3, 2, 60)
    advance(monkeypatch, 45)
    assert limit_headers(client.get(URL)) == (3, 1, 15)


# ---------------------------------------------------------------------------------------------
# Who is counted, at which rate


@pytest.mark.django_db
def test_anonymous_and_keyed_rates_differ(small_limits, client):
    _, raw_key = issue_key(name="区政务公开门户", organisation="区大数据中心")
    keyed = [client.get(URL, HTTP_X_API_KEY=raw_key) for _ in range(6)]
    assert [r.status_code for r in keyed] == [200] * 5 + [429]
    assert int(keyed[0]["X-RateLimit-Limit"]) == 5
    # the key has a bucket of its own: the address it comes from is untouched
    assert statuses(client, 4) == [200, 200, 200, 429]
    # another address is another anonymous client
    assert client.get(URL, REMOTE_ADDR="198.51.100.7").status_code == 200
    # a key with its own rate
    _, crawler = issue_key(name="高校研究项目", rate="7/hour")
    response = client.get(URL, HTTP_X_API_KEY=crawler)
    assert limit_headers(response)[:2] == (7, 6) and int(response["X-RateLimit-Reset"]) > 60


@pytest.mark.django_db
def test_unknown_or_revoked_key_is_401_naming_the_header(small_limits, client):
    api_key, raw_key = issue_key(name="门户")
    assert client.get(URL, HTTP_X_API_KEY=raw_key).status_code == 200
    revoke_keys(ApiKey.objects.filter(pk=api_key.pk))
    unknown = f"trk_{'0' * 12}_{'A' * 43}"
    for bad in (raw_key, unknown, "not-a-key"):
        response = client.get(URL, HTTP_X_API_KEY=bad)
        assert response.status_code == 401, bad
        body = response.json()
        assert "X-API-Key" in body["detail"] and list(body["errors"]) == ["X-API-Key"]
        assert body["errors"]["X-API-Key"] == ["接口密钥无效或已被撤销。"]
        assert response["WWW-Authenticate"] == 'ApiKey header="X-API-Key"'
    # the attempts counted against the address: the fourth is refused before the key check
    assert limit_headers(response)[:2] == (3, 0)
    assert client.get(URL, HTTP_X_API_KEY="again").status_code == 429
    empty = client.get(URL, HTTP_X_API_KEY="", REMOTE_ADDR="198.51.100.8")
    assert empty.status_code == 401 and "X-API-Key" in empty.json()["errors"]
    graphql = APIClient(REMOTE_ADDR="198.51.100.9").post(
        "/graphql/", GRAPHQL_QUERY, format="json", HTTP_X_API_KEY=unknown
    )
    assert graphql.status_code == 401 and "X-API-Key" in graphql.json()["errors"][0]["message"]


@pytest.mark.django_db
def test_keys_store_only_a_digest_and_record_their_use(client):
    api_key, raw_key = issue_key(name="门户", contact="张三 010-12345678")
    assert raw_key.startswith(f"trk_{api_key.prefix}_")
    stored = ApiKey.objects.filter(pk=api_key.pk).values().get()
    # the secret is what follows the prefix (base64url: it may hold "_" itself)
    secret = raw_key.removeprefix(f"trk_{api_key.prefix}_")
    assert len(secret) >= 32 and raw_key not in str(stored) and secret not in str(stored)
    assert api_key.last_used_at is None
    client.get(URL, HTTP_X_API_KEY=raw_key)
    used = ApiKey.objects.get(pk=api_key.pk).last_used_at
    assert used is not None
    client.get(URL, HTTP_X_API_KEY=raw_key)  # within the minute: not written again
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == used


@pytest.mark.django_db
def test_token_and_session_users_are_counted_per_user(small_limits, client):
    first, second = create_user("reader_one"), create_user("reader_two")
    tokens = tokens_for({"first": first, "second": second})
    one, two = api_client(tokens["first"]), api_client(tokens["second"])
    assert statuses(one, 6) == [200] * 5 + [429]
    assert int(one.get(URL)["X-RateLimit-Limit"]) == 5
    assert statuses(two, 1) == [200]  # another user, same address
    assert statuses(APIClient(), 1) == [200]  # the address itself is not used up
    # a GraphQL request with the same token is the same user
    graphql = one.post("/graphql/", GRAPHQL_QUERY, format="json")
    assert graphql.status_code == 429
    # a session is the user too
    session = APIClient()
    session.force_login(second)
    assert statuses(session, 5) == [200] * 4 + [429]
    # a made-up token earns nothing: it is counted as the address (DRF then answers 401)
    forged = api_client("0" * 40)
    assert statuses(forged, 3) == [401, 401, 429]


@pytest.mark.django_db
def test_forwarded_for_only_from_trusted_proxies(small_limits, client, settings):
    forged = {"HTTP_X_FORWARDED_FOR": "203.0.113.1"}
    assert statuses(client, 4, **forged) == [200, 200, 200, 429]  # header ignored
    settings.REGISTRY_TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxied = {"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_FOR": "192.0.2.50, 10.9.9.9"}
    assert statuses(client, 4, **proxied) == [200, 200, 200, 429]
    # a client-supplied entry in front of the proxy's is not believed
    spoofed = {"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_FOR": "1.1.1.1, 192.0.2.50"}
    assert statuses(client, 1, **spoofed) == [429]
    other = {"REMOTE_ADDR": "10.1.2.3", "HTTP_X_FORWARDED_FOR": "192.0.2.51"}
    assert statuses(client, 1, **other) == [200]


# ---------------------------------------------------------------------------------------------
# The comment throttle counts in the same shared counter


@pytest.fixture
def open_period(departments, users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    office = Department.objects.create(code="qzfb", name_zh="区政府办公室", kind="district_office")
    office_editor, office_publisher = create_user("office_editor"), create_user("office_pub")
    grant_role(office_editor, "editor", office)
    grant_role(office_publisher, "publisher", office)
    catalogue = builders.catalogue(office, office_publisher, office_editor)
    decision = builders.decision(
        departments["fgw"], users["editor"], catalogue, publisher=users["publisher"]
    )
    return builders.to_consultation(decision, users["editor"], users["publisher"])


def test_comment_throttle_counts_in_the_shared_counter(open_period, settings):
    settings.REGISTRY_COMMENT_RATE = "2/minute"
    url = f"/api/v1/consultations/{open_period.pk}/comments/"
    client = APIClient()

    def comment():
        return client.post(url, {"content": "建议增加夜间停车位"}, format="json")

    assert [comment().status_code for _ in range(2)] == [201, 201]
    row = Counter.objects.get(key__endswith="comments:ip:127.0.0.1/60")
    assert row.count == 2
    cache.clear()  # Django's cache plays no part
    limited = comment()
    assert limited.status_code == 429
    assert limit_headers(limited)[:2] == (2, 0)  # the headers describe the comment limit
    assert int(limited["Retry-After"]) == int(limited["X-RateLimit-Reset"]) > 0
    assert limited.json()["detail"]
    assert client.get(url).status_code == 200  # reading comments is not limited by it
    assert Counter.objects.get(pk=(row.key, row.window_start)).count == 3


# ---------------------------------------------------------------------------------------------
# Keys from the command line and the admin


@pytest.mark.django_db
def test_create_api_key_command_prints_a_working_key(client, small_limits):
    out, err = StringIO(), StringIO()
    call_command("create_api_key", "数据开放平台", "--rate", "50/hour", stdout=out, stderr=err)
    raw_key = out.getvalue().strip()
    api_key = ApiKey.objects.get(name="数据开放平台")
    assert api_key.rate == "50/hour" and api_key.prefix in err.getvalue()
    assert limit_headers(client.get(URL, HTTP_X_API_KEY=raw_key))[:2] == (50, 49)
    with pytest.raises(CommandError, match="5000/hour"):
        call_command("create_api_key", "x", "--rate", "fast", stdout=out, stderr=err)


@pytest.mark.django_db
def test_admin_shows_a_new_key_once_and_revokes(client, users, small_limits):
    client.force_login(users["superuser"])
    response = client.post(
        "/admin/ratelimits/apikey/add/",
        {"name": "区融媒体中心", "organisation": "区委宣传部", "rate": "", "is_active": "on"},
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    api_key = ApiKey.objects.get()
    page = response.content.decode()
    raw_key = page.split('id="api-key"')[1].split(">")[1].split("<")[0]
    assert raw_key.startswith(f"trk_{api_key.prefix}_") and "只显示这一次" in page
    assert api_key.secret_hash not in page
    change_page = client.get(f"/admin/ratelimits/apikey/{api_key.pk}/change/")
    assert change_page.status_code == 200 and raw_key not in change_page.content.decode()
    assert APIClient().get(URL, HTTP_X_API_KEY=raw_key).status_code == 200
    client.post(
        "/admin/ratelimits/apikey/",
        {"action": "revoke", "_selected_action": [api_key.pk]},
    )
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None and not api_key.is_active
    assert APIClient().get(URL, HTTP_X_API_KEY=raw_key).status_code == 401
    editor = APIClient()
    editor.force_login(users["department_admin"])
    assert editor.get("/admin/ratelimits/apikey/").status_code in (302, 403)


# ---------------------------------------------------------------------------------------------
# The counters: atomic under concurrency, expired windows purged, Redis failures tolerated


def _hammer(increment, threads=8, per_thread=50):
    """``threads`` threads each count ``per_thread`` times in one window; return every
    count that the counter answered."""
    counts, start = [], threading.Barrier(threads)

    def work():
        try:
            start.wait()
            for _ in range(per_thread):
                counts.append(increment())
        finally:
            connection.close()  # each thread has its own database connection

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return counts


@pytest.mark.django_db(transaction=True)
def test_postgres_counter_is_atomic_across_connections():
    counter, key, now = counting.DatabaseCounter(), f"hammer-{uuid.uuid4().hex}", time.time()
    window = int(now // 60) * 60
    counts = _hammer(lambda: counter.increment(key, window, window + 60, now))
    assert sorted(counts) == list(range(1, 401))
    assert Counter.objects.get(key=key).count == 400


@pytest.mark.django_db
def test_postgres_counter_purges_expired_windows():
    counter, now = counting.DatabaseCounter(), int(time.time())
    Counter.objects.create(key="old", window_start=now - 120, expires_at=now - 60, count=9)
    Counter.objects.create(key="live", window_start=now - 30, expires_at=now + 30, count=1)
    assert counter.increment("new", now, now + 60, now) == 1  # the first call purges
    assert set(Counter.objects.values_list("key", flat=True)) == {"live", "new"}
    Counter.objects.create(key="old", window_start=now - 120, expires_at=now - 60, count=9)
    counter.increment("new", now, now + 60, now + 1)  # not again within the minute
    assert Counter.objects.filter(key="old").exists()


@pytest.fixture
def redis_prefix():
    """A key prefix in Redis database 15, cleaned up afterwards. Skips only when nothing
    listens at 127.0.0.1:6379."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        if "refused" not in str(exc).lower():
            raise
        pytest.skip(f"Redis at 127.0.0.1:6379 refused the connection: {exc}")
    prefix = f"test-registry-{uuid.uuid4().hex}:"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


def test_redis_counter_is_atomic_across_connections(redis_prefix):
    counter, now = counting.RedisCounter(REDIS_URL), time.time()
    window = int(now // 60) * 60
    key = f"{redis_prefix}hammer"
    counts = _hammer(lambda: counter.increment(key, window, window + 60, now))
    assert sorted(counts) == list(range(1, 401))
    assert int(counter.client.get(f"{key}:{window}")) == 400
    assert 0 < counter.client.ttl(f"{key}:{window}") <= 61  # expires with its window


@pytest.mark.django_db
def test_requests_count_in_redis_when_configured(small_limits, client, settings, redis_prefix):
    settings.REGISTRY_RATE_LIMIT_REDIS_URL = REDIS_URL
    settings.REGISTRY_RATE_LIMIT_PREFIX = redis_prefix
    assert statuses(client, 4) == [200, 200, 200, 429]
    keys = list(counting.redis_counter(REDIS_URL).client.scan_iter(match=f"{redis_prefix}*"))
    assert [k.decode().split("/")[0] for k in keys] == [f"{redis_prefix}ip:127.0.0.1"]
    assert not Counter.objects.exists()


@pytest.mark.django_db
def test_unreachable_redis_falls_back_to_the_database(
    small_limits, client, settings, caplog, monkeypatch
):
    monkeypatch.setattr(counting, "_redis_retry_at", 0.0)
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings.REGISTRY_RATE_LIMIT_REDIS_URL = f"redis://127.0.0.1:{port}/0"
    with caplog.at_level(logging.WARNING, logger="registry.ratelimits.counting"):
        responses = [client.get(URL) for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert limit_headers(responses[0])[:2] == (3, 2)
    assert Counter.objects.get().count == 4
    warnings = [r.getMessage() for r in caplog.records if r.name == counting.__name__]
    assert len(warnings) == 1 and "counting in PostgreSQL" in warnings[0]  # then it waits


# ---------------------------------------------------------------------------------------------
# Two worker processes share one count


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _test_database_url():
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    host = quote(db["HOST"] or "127.0.0.1", safe="")  # a socket directory is a path
    return f"postgres://{credentials}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def _fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


@contextlib.contextmanager
def _servers(tmp_path, count, env):
    """``count`` separate gunicorn servers (one worker each) on ports of their own, with
    the production settings pointed at the test database; stopped by PID at the end."""
    processes = []
    try:
        for index in range(count):
            port = _free_port()
            log = open(tmp_path / f"server-{index}.log", "wb")  # closed in the finally block
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--config", "registry/gunicorn_conf.py"]
                + ["--bind", f"127.0.0.1:{port}", "--workers", "1"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            processes.append((process, port, log))
        deadline = time.monotonic() + 30
        for process, port, _log in processes:
            while _fetch_or_none(f"http://127.0.0.1:{port}/healthz") != 200:
                if process.poll() is not None or time.monotonic() > deadline:
                    logs = "\n".join(p.read_text() for p in tmp_path.glob("server-*.log"))
                    pytest.fail(f"server on port {port} did not start:\n{logs}")
                time.sleep(0.1)
        yield [f"http://127.0.0.1:{port}" for _, port, _ in processes]
    finally:
        for process, _port, _log in processes:
            process.terminate()
        for process, _port, log in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def _fetch_or_none(url):
    try:
        return _fetch(url)[0]
    except OSError:
        return None


def _server_env(**extra):
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(
        DATABASE_URL=_test_database_url(),
        DJANGO_SETTINGS_MODULE="registry.settings",
        REGISTRY_RATE_LIMIT_ANONYMOUS="7/day",  # a window that does not turn during the test
        REGISTRY_RATE_LIMIT_PREFIX=f"xproc-{uuid.uuid4().hex}:",
        REGISTRY_WORKER="0",  # no job worker beside these servers (registry/gunicorn_conf.py)
    )
    env.update(extra)
    return env


def _check_shared_limit(bases):
    """Four requests alternating between the servers, then twelve at once: exactly seven
    succeed, each with its own remaining count, and the rest are 429 with the headers."""
    first = [_fetch(f"{bases[i % 2]}{URL}") for i in range(4)]
    assert [status for status, _ in first] == [200] * 4
    assert [int(h["X-RateLimit-Remaining"]) for _, h in first] == [6, 5, 4, 3]
    with ThreadPoolExecutor(8) as pool:
        rest = list(pool.map(lambda i: _fetch(f"{bases[i % 2]}{URL}"), range(12)))
    results = first + rest
    ok = [headers for status, headers in results if status == 200]
    limited = [headers for status, headers in results if status == 429]
    assert (len(ok), len(limited)) == (7, 9), [status for status, _ in results]
    assert sorted(int(h["X-RateLimit-Remaining"]) for h in ok) == list(range(7))
    for headers in limited:
        assert headers["X-RateLimit-Limit"] == "7" and headers["X-RateLimit-Remaining"] == "0"
        assert int(headers["Retry-After"]) == int(headers["X-RateLimit-Reset"]) > 0
    # every server refuses from then on
    assert [_fetch(f"{base}{URL}")[0] for base in bases] == [429, 429]


@pytest.mark.django_db(transaction=True)
def test_two_server_processes_share_the_postgres_counter(tmp_path):
    with _servers(tmp_path, 2, _server_env()) as bases:
        _check_shared_limit(bases)
    assert Counter.objects.get().count == 18


@pytest.mark.django_db(transaction=True)
def test_two_server_processes_share_the_redis_counter(tmp_path, redis_prefix):
    env = _server_env(REDIS_URL=REDIS_URL, REGISTRY_RATE_LIMIT_PREFIX=redis_prefix)
    with _servers(tmp_path, 2, env) as bases:
        _check_shared_limit(bases)
    assert not Counter.objects.exists()  # nothing fell back to the database
