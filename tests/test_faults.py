"""Faults against a real server: gunicorn with ``registry/gunicorn_conf.py`` (as ``make run``
serves) on the test database, one worker, killed with SIGKILL in the middle of a write.

The kill lands at a known point: the test holds a lock the write needs next (from its own
connection), waits until PostgreSQL shows the write's session blocked on it, then kills the
worker. Nothing of the write may remain once its session is gone: the record, its audit
entries, its change-feed events and its index numbers are as before, the audit chain
verifies, and the same write succeeds in full on the worker gunicorn starts instead.

Also here: after the server's database connections were cut (as by a PostgreSQL restart)
the next request succeeds (``CONN_HEALTH_CHECKS``), and the procrastinate worker beside
gunicorn is restarted whatever its exit status (it exits with 0 when PostgreSQL goes away).
``bench/load.py`` restarts PostgreSQL itself under load; the webhook worker killed
mid-delivery is in ``tests/webhooks/test_worker_killed.py``."""

import datetime
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from bench.driver import children
from enforcement.models import EnforcementAction
from registry.audit import _CHAIN_LOCK, verify_chain
from registry.choices import AuditAction, RecordStatus
from registry.models import AuditEntry, IndexNumberSequence
from tests.enforcement import builders
from tests.enforcement.test_import import HEADER
from tests.enforcement.test_import import row as import_row
from tests.processes import database_url, wait_for
from tests.test_portal_sync import seed_reference_data
from tests.world import tokens_for

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("faults")]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn on 127.0.0.1 with one worker, the job worker left out."""

    def __init__(self, log):
        self.port = free_port()
        self.log = log
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "registry.settings",
            "DATABASE_URL": database_url(),
            "REGISTRY_WORKER": "0",
            "REGISTRY_RATE_LIMIT_ANONYMOUS": "1000000/minute",
            "REGISTRY_RATE_LIMIT_KEYED": "1000000/minute",
            "REGISTRY_EXPORT_ROOT": str(log.parent / "exports"),
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "registry.wsgi:application",
                "--config",
                str(ROOT / "registry" / "gunicorn_conf.py"),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
            ],
            cwd=ROOT,
            env=environment,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.wait_ready()

    def worker(self):
        pids = children(self.process.pid)
        return pids[0] if len(pids) == 1 else None

    def wait_ready(self, timeout=60, other_than=None):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            pid = self.worker()
            if pid is not None and pid != other_than:
                try:
                    if self.request("GET", "/healthz")[0] == 200:
                        return pid
                except OSError:
                    pass
            time.sleep(0.1)
        raise AssertionError(f"gunicorn did not answer in time:\n{self.log.read_text()}")

    def request(self, method, path, body=None, headers=None, timeout=60):
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            client.request(method, path, body=body, headers=headers or {})
            response = client.getresponse()
            return response.status, response.read()
        finally:
            client.close()

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """The deadline rules and calendar (a transactional test starts from a flushed
    database)."""
    seed_reference_data()


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        running = Server(tmp_path_factory.mktemp("faults") / "gunicorn.log")
    yield running
    running.stop()


def other_connection(autocommit=False):
    """A connection of the test's own to the test database: one holds a lock across
    requests, another (autocommit: PostgreSQL keeps one snapshot of the activity views per
    transaction) watches the sessions."""
    url = database_url().replace("postgres://", "postgresql://", 1)
    return psycopg.connect(url, autocommit=autocommit)


def sessions_of_server():
    """Backend pids of the test database's other client sessions (the server's)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return {pid for (pid,) in cursor.fetchall()}


def blocked_session(watcher, wait_events, query_part):
    """The pid of the session waiting for a lock (of a kind among ``wait_events``) while
    running a statement containing ``query_part``."""
    found = watcher.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND wait_event = ANY(%s) AND strpos(query, %s) > 0",
        [list(wait_events), query_part],
    ).fetchone()
    return found[0] if found else None


def gone(watcher, pid):
    return not watcher.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()


def in_background(call):
    """Run ``call`` in a thread; ``outcome`` holds its return value or exception."""
    outcome = SimpleNamespace(value=None, error=None)

    def run():
        try:
            outcome.value = call()
        except Exception as exc:  # the connection reset by the kill
            outcome.error = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    outcome.thread = thread
    return outcome


def kill_worker(server, outcome):
    """SIGKILL the worker; its client sees the connection dropped. Returns the new worker's
    pid once gunicorn has started one and it answers."""
    pid = server.worker()
    os.kill(pid, signal.SIGKILL)
    outcome.thread.join(timeout=30)
    assert outcome.value is None and isinstance(outcome.error, OSError | http.client.HTTPException)
    return server.wait_ready(other_than=pid)


def chain_state():
    """What a write that never happened leaves unchanged: the audit log's length and head,
    and the public events (the change feed's source)."""
    return (
        AuditEntry.objects.count(),
        AuditEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first(),
        AuditEntry.objects.filter(is_public=True).count(),
    )


def entries(record, action):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk, action=action
    )


def token_header(token):
    return {"Authorization": f"Token {token}"}


def test_publish_killed_midway_leaves_the_record_unpublished(server, departments, users):
    tokens = tokens_for(users)
    body = builders.body(departments["fgw"], users["editor"], publisher=users["publisher"])
    power = builders.power(body, users["editor"], publisher=users["publisher"])
    record = builders.penalty(power, users["editor"])
    before = chain_state()
    url = f"/api/v1/enforcement-actions/{record.pk}/"
    publish = lambda: server.request(  # noqa: E731
        "POST",
        url + "publish/",
        b"{}",
        {
            **token_header(tokens["publisher"]),
            "Content-Type": "application/json",
        },
    )

    with other_connection(autocommit=True) as watcher:
        # The audit chain's lock: publish updates the record, then waits for it to append
        # its audit entry.
        watcher.execute("SELECT pg_advisory_lock(%s)", [_CHAIN_LOCK])
        outcome = in_background(publish)
        session = wait_for(
            lambda: blocked_session(watcher, ["advisory"], "pg_advisory_xact_lock"),
            "the publish to wait for the audit chain",
            request=outcome,
        )
        # The record's row is locked (and updated) by the publishing transaction.
        with pytest.raises(psycopg.errors.LockNotAvailable):
            watcher.execute(
                "SELECT 1 FROM enforcement_enforcementaction WHERE id = %s FOR UPDATE NOWAIT",
                [record.pk],
            )
        kill_worker(server, outcome)
        watcher.execute("SELECT pg_advisory_unlock(%s)", [_CHAIN_LOCK])
        wait_for(lambda: gone(watcher, session), "the killed worker's session to end")

    record.refresh_from_db()
    assert (record.status, record.published_at) == (RecordStatus.DRAFT, None)
    assert chain_state() == before
    assert not entries(record, AuditAction.PUBLISHED)
    assert verify_chain() is None
    assert server.request("GET", url)[0] == 404  # not public

    # The same publish, on the worker gunicorn started instead, takes effect in full.
    status, answer = publish()
    assert status == 200, answer
    record.refresh_from_db()
    assert record.status == RecordStatus.PUBLISHED
    published = entries(record, AuditAction.PUBLISHED)
    assert published.count() == 1 and published.get().is_public
    assert verify_chain() is None
    assert server.request("GET", url)[0] == 200
    status, feed = server.request("GET", "/api/v1/changes/?page_size=500")
    events = [(e["resource"], e["id"], e["event"]) for e in json.loads(feed)["results"]]
    assert ("enforcement-actions", record.pk, "published") in events


# How many ids the decisions' sequence has handed out (drawing ids is not transactional).
IDS_DRAWN = (
    "SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END "
    "FROM enforcement_enforcementaction_id_seq"
)


def multipart(rows):
    import csv
    import io

    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=HEADER, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    boundary = uuid.uuid4().hex
    body = b"".join(
        [
            f"--{boundary}\r\n".encode(),
            b'Content-Disposition: form-data; name="file"; filename="actions.csv"\r\n',
            b"Content-Type: text/csv\r\n\r\n",
            text.getvalue().encode(),
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_bulk_import_killed_midway_leaves_nothing(server, departments, users):
    from enforcement.services.imports import BATCH

    tokens = tokens_for(users)
    department = departments["fgw"]
    body = builders.body(department, users["editor"], publisher=users["publisher"])
    power = builders.power(body, users["editor"], publisher=users["publisher"])
    # A first batch of decisions of 2026, then a second of 2025: the import writes the
    # first batch (rows and audit entries), then asks for the 2025 index numbers.
    first = [
        import_row(
            power, n, decision_date=str(datetime.date(2026, 1, 1) + datetime.timedelta(n % 300))
        )
        for n in range(1, BATCH + 1)
    ]
    second = [
        import_row(power, n, decision_date=f"2025-0{1 + n % 9}-1{n % 10}")
        for n in range(BATCH + 1, BATCH + 301)
    ]
    payload, content_type = multipart(first + second)
    document_numbers = [r["document_number"] for r in first + second]
    IndexNumberSequence.objects.create(department=department, year=2025, last_value=0)
    numbers_before = dict(
        IndexNumberSequence.objects.filter(department=department).values_list("year", "last_value")
    )
    before = chain_state()
    with connection.cursor() as cursor:
        cursor.execute(IDS_DRAWN)
        (ids_before,) = cursor.fetchone()

    def run_import():
        return server.request(
            "POST",
            "/api/v1/enforcement-actions/bulk-import/",
            payload,
            {**token_header(tokens["editor"]), "Content-Type": content_type},
            timeout=120,
        )

    with other_connection() as holder, other_connection(autocommit=True) as watcher:
        holder.execute(
            "SELECT 1 FROM registry_indexnumbersequence WHERE department_id = %s AND year = 2025 "
            "FOR UPDATE",
            [department.pk],
        )
        outcome = in_background(run_import)
        session = wait_for(
            lambda: blocked_session(watcher, ["transactionid", "tuple"], "indexnumbersequence"),
            "the import to reach its second batch",
            timeout=60,
            request=outcome,
        )
        # The first batch is written in the import's transaction: its ids were drawn, and
        # the session holds the audit chain (its entries are appended).
        (ids_drawn,) = watcher.execute(IDS_DRAWN).fetchone()
        assert ids_drawn - ids_before == BATCH
        assert watcher.execute(
            "SELECT 1 FROM pg_locks WHERE pid = %s AND locktype = 'advisory' AND granted "
            "AND objid = %s",
            [session, _CHAIN_LOCK],
        ).fetchone()
        kill_worker(server, outcome)
        holder.rollback()  # releases the 2025 row: the orphaned session runs on, then fails
        wait_for(lambda: gone(watcher, session), "the killed worker's session to end")

    assert not EnforcementAction.objects.filter(document_number__in=document_numbers).exists()
    assert chain_state() == before
    assert (
        dict(
            IndexNumberSequence.objects.filter(department=department).values_list(
                "year", "last_value"
            )
        )
        == numbers_before
    )
    assert verify_chain() is None

    # The same file again, to the end.
    status, answer = run_import()
    assert status == 201, answer[:2000]
    assert json.loads(answer)["created"] == len(document_numbers)
    assert EnforcementAction.objects.filter(document_number__in=document_numbers).count() == len(
        document_numbers
    )
    count, _head, public = chain_state()
    assert (count, public) == (before[0] + len(document_numbers), before[2])
    assert verify_chain() is None


def test_the_next_request_after_the_connections_were_cut_succeeds(server, departments):
    """As after a PostgreSQL restart: the worker's kept connection is dead; the health
    check at the start of the next request replaces it."""
    assert server.request("GET", "/api/v1/departments/")[0] == 200
    cut = sessions_of_server()
    assert cut
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [list(cut)]
        )
    wait_for(lambda: not (sessions_of_server() & cut), "the sessions to end")
    assert [server.request("GET", "/api/v1/departments/")[0] for _ in range(3)] == [200] * 3


def test_the_job_worker_is_restarted_after_any_exit(monkeypatch):
    """gunicorn's watcher restarts the procrastinate worker after an exit with 0 too (as
    when it lost its database), and stops once gunicorn is stopping."""
    from registry import gunicorn_conf

    class Exited:
        def __init__(self, code):
            self.code = code

        def wait(self):
            return self.code

    started = []

    def start(server):
        started.append(datetime.datetime.now())
        if len(started) == 2:
            gunicorn_conf._worker["stopping"] = True
        return Exited(1)

    monkeypatch.setitem(gunicorn_conf._worker, "stopping", False)
    monkeypatch.setattr(gunicorn_conf, "_start_worker", start)
    monkeypatch.setattr(gunicorn_conf, "time", SimpleNamespace(sleep=lambda seconds: None))
    log = SimpleNamespace(error=lambda *args: None, info=lambda *args: None)
    gunicorn_conf._watch_worker(SimpleNamespace(log=log), Exited(0))
    assert len(started) == 2
