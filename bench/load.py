"""``make load``: a bounded mixed load against the registry served as ``make run`` serves it,
then the same load while PostgreSQL is restarted.

    .venv/bin/python bench/load.py                      # a throwaway cluster: load + restart
    .venv/bin/python bench/load.py --seconds 60 --clients 16
    .venv/bin/python bench/load.py --database-url postgres://postgres@127.0.0.1:5432/registry

1. **Server.** ``manage.py prepare`` (migrations, the demo data set), then gunicorn with
   ``registry/gunicorn_conf.py`` and ``--workers`` sync workers on 127.0.0.1, the
   procrastinate worker beside them, as ``make run`` starts them. Without
   ``--database-url`` on a PostgreSQL cluster of the run's own (``bench/cluster.py``: a
   temporary directory, a free port), removed afterwards. Rate limits are raised out of the
   way (a 429 would still be counted apart, and is not a failure).
2. **The mix**, discovered from the running server: every resource of the API root
   (``/api/v1/``) as a list, its second page, each filter of the committed OpenAPI schema
   with a value taken from a listed row, text search (``q``), details and every per-record
   read (history, versions, documents, comments, verify, download), every bulk-export format
   and the 双公示 export, the snapshot, the change feed and its pages, every Atom feed, every
   GraphQL example of ``api_docs/graphql_examples/``, the other reads (dictionary, trend,
   undisclosed, redaction policy, health), and anonymous comments on the consultations
   open now. Every entry is requested once first and must answer 2xx (the few that do not,
   e.g. a filter value the generic choice got wrong, are dropped and listed).
3. **Load.** ``--clients`` threads, each sending one request after another (a new
   connection each: gunicorn's sync workers close it) for ``--seconds``, the kind drawn by
   weight (``WEIGHTS``), the entry at random. Every answer is recorded: kind, status,
   latency. Afterwards: no 5xx and no connection error, and every comment answered 201 is
   in the database with its text (looked up by the id the answer gave).
4. **PostgreSQL restart** (own cluster only): the same load for ``--fault-seconds``;
   after a few seconds PostgreSQL is stopped (fast shutdown: sessions cut), left down
   ``--outage`` seconds and started again. Requests before the stop must succeed; those
   meeting the outage must fail cleanly (503 JSON with ``Retry-After``, at once, no
   timeouts); every request starting more than ``RECOVERY_BOUND`` seconds after PostgreSQL
   is back must succeed, with no manual step. Then the job worker must be back: a record is
   published and its webhook must reach a receiver on 127.0.0.1. The audit chain verifies.

Prints throughput and p50/p99 per kind and overall; writes the JSON result (``--out``);
exits non-zero when a check fails.
"""

import argparse
import datetime
import http.client
import http.server
import json
import math
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNLIMITED = "100000000/minute"
# Relative frequency of each kind of request in the mix.
WEIGHTS = {
    "list": 16,
    "filter": 14,
    "search": 10,
    "detail": 18,
    "changes": 8,
    "feed": 7,
    "graphql": 10,
    "export": 6,
    "other": 4,
    "comment": 7,
}
RECOVERY_BOUND = 2.0  # seconds after PostgreSQL is back from which every request must succeed
SKIPPED_PARAMETERS = {"cursor", "page_size", "format", "q"}


def arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", help="a database to use (no restart fault); default: an own cluster"
    )
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--seconds", type=float, default=15, help="the load run")
    parser.add_argument("--fault-seconds", type=float, default=15, help="the restart run (0: none)")
    parser.add_argument("--outage", type=float, default=3, help="seconds PostgreSQL is down")
    parser.add_argument("--timeout", type=float, default=30, help="client timeout, seconds")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", help="JSON result (default bench/results/load-<date>.json)")
    return parser.parse_args(argv)


# --- requests and answers ---------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    kind: str
    method: str
    path: str  # with the query string
    body: bytes | None = None  # JSON for POST; a comment's text is made per request

    def label(self):
        return f"{self.method} {self.path}"


@dataclass
class Answer:
    kind: str
    path: str
    started: float  # time.monotonic()
    seconds: float
    status: int = 0  # 0: no HTTP answer (``error`` says why)
    error: str = ""
    content_type: str = ""
    retry_after: str = ""
    body: bytes = b""  # the start of a failure's body; a comment's answer
    comment: str = ""  # the text of a comment sent

    @property
    def ended(self):
        return self.started + self.seconds

    @property
    def ok(self):
        return 200 <= self.status < 400


def send(port, entry, timeout, comment_text=None):
    body = entry.body
    if comment_text is not None:
        body = json.dumps(
            {"content": comment_text, "author_name": "负载测试"}, ensure_ascii=False
        ).encode()
    headers = {"Content-Type": "application/json"} if body is not None else {}
    answer = Answer(entry.kind, entry.path, time.monotonic(), 0.0, comment=comment_text or "")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(entry.method, entry.path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()  # streamed exports: to the end
        answer.status = response.status
        answer.content_type = response.getheader("Content-Type", "")
        answer.retry_after = response.getheader("Retry-After", "")
        if not answer.ok or comment_text is not None:
            answer.body = data[:2000]
    except (OSError, http.client.HTTPException) as exc:
        answer.error = f"{type(exc).__name__}: {exc}"
    finally:
        connection.close()
    answer.seconds = time.monotonic() - answer.started
    return answer


def get_json(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {data[:300]!r}")
    return json.loads(data)


# --- the mix ------------------------------------------------------------------------------


def schema_paths():
    import yaml

    schema = yaml.safe_load((ROOT / "api_docs" / "openapi.yaml").read_text(encoding="utf-8"))
    return {
        path: operations["get"]
        for path, operations in schema["paths"].items()
        if "get" in operations
    }


def query_parameters(operation):
    return {p["name"]: p for p in operation.get("parameters", ()) if p.get("in") == "query"}


def scalar(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | str) and value != "":
        return str(value)
    return None


def plan(port):
    """The entries of the mix by kind, discovered from the API root, the committed schema,
    the listed rows, the feeds and the GraphQL examples."""
    from django.apps import apps

    from registry import changes, feeds
    from registry.models import Department

    paths = schema_paths()
    entries = {kind: [] for kind in WEIGHTS}

    def add(kind, path, method="GET", body=None):
        entries[kind].append(Entry(kind, method, path, body))

    root = get_json(port, "/api/v1/")
    for prefix, url in root.items():
        base = urlsplit(url).path
        template = f"/api/v1/{prefix}/"
        parameters = query_parameters(paths.get(template, {}))
        add("list", base)
        page = get_json(port, base + "?page_size=5")
        if page.get("next"):
            following = urlsplit(page["next"])
            add("list", f"{following.path}?{following.query}")
        rows = page["results"]
        key = "code" if prefix == "departments" else "id"
        if rows:
            first = rows[0]
            for name in sorted(set(parameters) - SKIPPED_PARAMETERS):
                value = scalar(first.get(name))
                if value is None and name.endswith(("_after", "_since")):
                    source = {"updated_since": "updated_at"}.get(name, name.rsplit("_", 1)[0])
                    value = scalar(first.get(source))
                if value is not None:
                    add("filter", f"{base}?{urlencode({name: value})}")
            if "q" in parameters:
                text = str(first.get("name") or "")
                for term in {text[:2], text[2:4], "公司", "无此内容的检索词"} - {""}:
                    add("search", f"{base}?{urlencode({'q': term})}")
        for row in rows[:3]:
            add("detail", f"{base}{row[key]}/")
            for path in paths:
                prefix_of = f"/api/v1/{prefix}/{{{key}}}/"
                if path.startswith(prefix_of) and path != prefix_of:
                    add("detail", path.replace(f"{{{key}}}", str(row[key])))
        export = paths.get(f"/api/v1/{prefix}/bulk-export/")
        if export:
            formats = query_parameters(export)["format"]["schema"].get("enum", ["csv"])
            for format_name in formats:
                add("export", f"{base}bulk-export/?format={format_name}")
        for path, operation in paths.items():
            rest = path.removeprefix(template)
            if path.startswith(template) and rest and "{" not in rest and rest != "bulk-export/":
                required = {
                    name: p["schema"]["enum"][0]
                    for name, p in query_parameters(operation).items()
                    if p.get("schema", {}).get("enum") and name in ("indicator", "kind")
                }
                kind = "export" if rest == "export/" else "other"
                add(kind, path + (f"?{urlencode(required)}" if required else ""))
    feed = "/api/v1/changes/?page_size=100"
    for _ in range(5):
        add("changes", feed)
        page = get_json(port, feed)
        if not page["results"]:
            break
        following = urlsplit(page["next"])
        feed = f"{following.path}?{following.query}"
    add("export", "/api/v1/changes/bulk-export/?format=ndjson")
    add("export", "/api/v1/snapshot/")
    add("other", "/api/v1/snapshot/manifest/")
    add("other", "/api/v1/dictionary/")
    add("other", "/api/v1/")
    add("other", "/healthz")
    add("feed", "/feeds/publications.atom")
    for config in apps.get_app_configs():
        if changes.resource_types(config.label):
            add("feed", f"/feeds/publications/{config.label}.atom")
    for code in Department.objects.order_by("code").values_list("code", flat=True)[:5]:
        add("feed", f"/feeds/departments/{code}.atom")
    for list_feed in feeds.list_feeds():
        add("feed", f"/feeds/{list_feed.slug}.atom")
    for example in sorted((ROOT / "api_docs" / "graphql_examples").glob("*.graphql")):
        query = example.read_text(encoding="utf-8")
        add("graphql", "/graphql/", "POST", json.dumps({"query": query}).encode())
    for consultation in get_json(port, "/api/v1/consultations/?is_open=true")["results"]:
        add("comment", f"/api/v1/consultations/{consultation['id']}/comments/", "POST", b"")
    return entries


class Comments:
    """Texts of the comments sent, unique within the run."""

    def __init__(self):
        self.run = uuid.uuid4().hex[:8]
        self.count = 0
        self.lock = threading.Lock()

    def next(self):
        with self.lock:
            self.count += 1
            number = self.count
        return f"负载测试意见 {self.run}-{number}：建议在夜间适当降低停车收费标准。"


def request(port, entry, timeout, comments):
    text = comments.next() if entry.kind == "comment" else None
    return send(port, entry, timeout, comment_text=text)


def warm_up(port, entries, timeout, comments, clients):
    """Each entry once (``clients`` at a time); the entries that do not answer 2xx are
    dropped (5xx are kept: they fail the run). Returns the answers and the dropped
    entries."""
    from concurrent.futures import ThreadPoolExecutor

    everything = [entry for listed in entries.values() for entry in listed]
    with ThreadPoolExecutor(clients) as pool:
        answers = list(pool.map(lambda e: request(port, e, timeout, comments), everything))
    dropped = []
    for entry, answer in zip(everything, answers, strict=True):
        if not (answer.ok or answer.status >= 500 or not answer.status):
            entries[entry.kind].remove(entry)
            dropped.append(f"{entry.label()} -> {answer.status} {answer.body[:200]!r}")
    return answers, dropped


def run_load(port, entries, *, clients, seconds, timeout, comments, seed):
    kinds = [kind for kind in WEIGHTS if entries[kind]]
    weights = [WEIGHTS[kind] for kind in kinds]
    deadline = time.monotonic() + seconds
    answers = []
    lock = threading.Lock()

    def client(number):
        rng = random.Random(seed * 1000 + number)
        mine = []
        while time.monotonic() < deadline:
            kind = rng.choices(kinds, weights)[0]
            mine.append(request(port, rng.choice(entries[kind]), timeout, comments))
        with lock:
            answers.extend(mine)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers, time.monotonic() - started


# --- figures and checks -------------------------------------------------------------------


def percentile(values, q):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else None


def figures(answers, elapsed):
    def summary(group):
        latencies = [a.seconds * 1000 for a in group]
        return {
            "requests": len(group),
            "per_second": round(len(group) / elapsed, 1) if elapsed else None,
            "ok": sum(a.ok for a in group),
            "status_429": sum(a.status == 429 for a in group),
            "status_4xx": sum(400 <= a.status < 500 and a.status != 429 for a in group),
            "status_5xx": sum(a.status >= 500 for a in group),
            "no_answer": sum(not a.status for a in group),
            "p50_ms": round(percentile(latencies, 0.5), 1) if latencies else None,
            "p99_ms": round(percentile(latencies, 0.99), 1) if latencies else None,
            "max_ms": round(max(latencies), 1) if latencies else None,
        }

    kinds = sorted({a.kind for a in answers}, key=list(WEIGHTS).index)
    return {
        "seconds": round(elapsed, 2),
        "overall": summary(answers),
        "by_kind": {kind: summary([a for a in answers if a.kind == kind]) for kind in kinds},
    }


def check_comments(answers):
    """Every comment answered 201 is stored with its text; comments not acknowledged are
    counted by what became of them."""
    from decisions.models import Comment

    sent = [a for a in answers if a.kind == "comment"]
    acknowledged = {}
    for answer in sent:
        if answer.status == 201:
            acknowledged[json.loads(answer.body)["id"]] = answer.comment
    stored = dict(Comment.objects.filter(pk__in=acknowledged).values_list("pk", "content"))
    lost = sorted(pk for pk, text in acknowledged.items() if stored.get(pk) != text)
    unacknowledged = [a.comment for a in sent if a.status != 201]
    stored_anyway = Comment.objects.filter(content__in=unacknowledged).count()
    return {
        "sent": len(sent),
        "acknowledged": len(acknowledged),
        "found": len(acknowledged) - len(lost),
        "lost": lost,
        "unacknowledged": len(unacknowledged),
        "unacknowledged_but_stored": stored_anyway,
    }


def failures(answers, limit=10):
    bad = [a for a in answers if a.status >= 500 or not a.status]
    return [
        {
            "kind": a.kind,
            "path": a.path,
            "status": a.status,
            "error": a.error,
            "body": a.body[:300].decode(errors="replace"),
        }
        for a in bad[:limit]
    ]


def clean_failure(answer, timeout):
    """A failure the client can act on: 503, JSON with ``detail``, ``Retry-After``, and
    well before the client's timeout."""
    if answer.status != 503 or not answer.retry_after or answer.seconds > timeout / 2:
        return False
    if not answer.content_type.startswith("application/json"):
        return False
    try:
        body = json.loads(answer.body)
    except ValueError:
        return False
    return bool(body.get("detail") or body.get("errors"))


def restart_figures(answers, marks, timeout):
    """Requests before, during and after PostgreSQL's restart (``marks``: the monotonic
    times stopping, stopped, starting, started)."""
    stopping, stopped, starting, started = marks
    before = [a for a in answers if a.ended < stopping]
    during = [a for a in answers if a.ended >= stopping and a.started <= started]
    after = [a for a in answers if a.started > started]
    failed_during = [a for a in during if not a.ok]
    failed_after = [a for a in after if not a.ok]
    late = [a for a in failed_after if a.started > started + RECOVERY_BOUND]
    successes_after = [a.ended - started for a in after if a.ok]
    statuses = {}
    for answer in failed_during + failed_after:
        key = str(answer.status or answer.error.split(":")[0])
        statuses[key] = statuses.get(key, 0) + 1
    unclean = [a for a in failed_during + failed_after if not clean_failure(a, timeout)]
    return {
        "shutdown_s": round(stopped - stopping, 2),
        "down_s": round(starting - stopped, 2),
        "startup_s": round(started - starting, 2),
        "outage_window_s": round(started - stopping, 2),
        "requests_before": len(before),
        "failed_before": sum(not a.ok for a in before),
        "requests_during": len(during),
        "failed_during": len(failed_during),
        "failed_statuses": statuses,
        "unclean_failures": failures(unclean),
        "slowest_failure_ms": round(
            max((a.seconds for a in failed_during + failed_after), default=0) * 1000, 1
        ),
        "requests_after": len(after),
        "failed_after": len(failed_after),
        "failed_after_bound": len(late),
        "recovery_s": round(max((a.ended - started for a in failed_after), default=0.0), 2),
        "first_success_after_s": round(min(successes_after), 2) if successes_after else None,
    }


# --- the webhook after the restart ----------------------------------------------------------


class Receiver:
    """Records the webhook requests it gets (answering 200)."""

    def __init__(self):
        self.bodies = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                receiver.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        host, port = self.server.server_address
        return f"http://{host}:{port}/hook"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def publish_and_deliver(port, receiver, timeout=60):
    """Create and publish an enforcement decision through the API; seconds until its
    ``published`` event reached the receiver (None: not within ``timeout``)."""
    from types import SimpleNamespace

    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from bench.cases import create_payload
    from enforcement.models import EnforcementPower

    users = get_user_model().objects
    editor = Token.objects.get_or_create(user=users.get(username="scjgj_editor"))[0].key
    publisher = Token.objects.get_or_create(user=users.get(username="scjgj_publisher"))[0].key
    power = EnforcementPower.objects.public().filter(department__code="scjgj").first()
    context = SimpleNamespace(body_id=power.body_id, power_id=power.pk)
    payload = create_payload(context, f"负载{uuid.uuid4().hex[:10]}")
    created = post_json(port, "/api/v1/enforcement-actions/", payload, editor, 201)
    started = time.monotonic()
    post_json(port, f"/api/v1/enforcement-actions/{created['id']}/publish/", {}, publisher, 200)
    while time.monotonic() - started < timeout:
        for body in list(receiver.bodies):
            event = json.loads(body)
            if (event["resource"], event["id"]) == ("enforcement-actions", created["id"]):
                return time.monotonic() - started
        time.sleep(0.2)
    return None


def post_json(port, path, payload, token, expected):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(
        "POST",
        path,
        body=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
    )
    response = connection.getresponse()
    data = response.read()
    connection.close()
    if response.status != expected:
        raise RuntimeError(f"POST {path}: {response.status} {data[:500]!r}")
    return json.loads(data)


# --- the run --------------------------------------------------------------------------------


def job_workers(master_pid):
    """The procrastinate workers among gunicorn's children (of any of its threads: the
    watcher thread starts the replacements)."""
    pids = []
    for listing in Path(f"/proc/{master_pid}/task").glob("*/children"):
        try:
            pids += [int(pid) for pid in listing.read_text().split()]
        except OSError:
            continue
    found = []
    for pid in pids:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"procrastinate" in command:
            found.append(pid)
    return found


def wait_healthy(port, server, seconds=60):
    """Until ``/healthz`` answers 200 (the warm-up that follows reaches every worker)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        if send(port, Entry("setup", "GET", "/healthz"), timeout=5).status == 200:
            return
        time.sleep(0.2)
    raise RuntimeError("/healthz did not answer 200")


def print_figures(title, result):
    print(
        f"\n{title}: {result['overall']['requests']} requests in {result['seconds']} s, "
        f"{result['overall']['per_second']} req/s"
    )
    header = f"{'kind':<9}{'requests':>9}{'req/s':>8}{'ok':>7}{'429':>5}{'4xx':>5}{'5xx':>5}"
    print(header + f"{'none':>6}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for kind, row in [*result["by_kind"].items(), ("overall", result["overall"])]:
        print(
            f"{kind:<9}{row['requests']:>9}{row['per_second']:>8}{row['ok']:>7}"
            f"{row['status_429']:>5}{row['status_4xx']:>5}{row['status_5xx']:>5}"
            f"{row['no_answer']:>6}{row['p50_ms']:>9}{row['p99_ms']:>9}{row['max_ms']:>9}"
        )


def main(argv=None):
    args = arguments(argv)
    # A CI time bound (timeout) sends SIGTERM: stop the server and the cluster on the way out.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    from bench import run as bench_run
    from bench.cluster import Cluster, free_port

    logs = Path(tempfile.mkdtemp(prefix="registry-load-"))
    port = args.port or free_port()
    result = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).name, *(argv or sys.argv[1:])]),
        "machine": bench_run.machine(),
        "settings": {
            "workers": args.workers,
            "clients": args.clients,
            "seconds": args.seconds,
            "fault_seconds": 0 if args.database_url else args.fault_seconds,
            "outage_s": args.outage,
            "timeout_s": args.timeout,
            "database": "given" if args.database_url else "own cluster",
            "weights": WEIGHTS,
        },
        "phases_s": {},
        "checks": {},
    }
    clock = [time.monotonic()]

    def phase(name):
        now = time.monotonic()
        result["phases_s"][name] = round(now - clock[0], 1)
        clock[0] = now

    cluster = server = server_log = None
    problems = []
    try:
        if args.database_url:
            database_url = args.database_url
        else:
            cluster = Cluster()
            cluster.__enter__()
            database_url = cluster.create_database("registry")
            phase("cluster")
        environment = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "registry.settings",
            "REGISTRY_EXPORT_ROOT": str(logs / "exports"),
            "REGISTRY_RATE_LIMIT_ANONYMOUS": UNLIMITED,
            "REGISTRY_RATE_LIMIT_KEYED": UNLIMITED,
            "REGISTRY_COMMENT_RATE": UNLIMITED,
        }
        os.environ.update(environment)
        with open(logs / "prepare.log", "w") as log:
            subprocess.run(
                [sys.executable, str(ROOT / "manage.py"), "prepare"],
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=True,
            )
        phase("prepare")
        import django

        django.setup()
        server_log = open(logs / "gunicorn.log", "w")  # noqa: SIM115 - closed at the end
        server = subprocess.Popen(  # as make run: gunicorn, its configuration, the job worker
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "registry.wsgi:application",
                "--config",
                str(ROOT / "registry" / "gunicorn_conf.py"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
            ],
            cwd=ROOT,
            env=environment,
            stdout=server_log,
            stderr=subprocess.STDOUT,
        )
        wait_healthy(port, server)
        phase("server_start")
        print(f"registry on 127.0.0.1:{port} ({args.workers} workers; logs in {logs})")
        comments = Comments()
        entries = plan(port)
        warm, dropped = warm_up(port, entries, args.timeout, comments, args.clients)
        phase("plan_and_warm_up")
        result["mix"] = {kind: len(listed) for kind, listed in entries.items()}
        result["dropped"] = dropped
        print(f"mix (entries by kind): {result['mix']}; dropped after the warm-up: {len(dropped)}")
        for line in dropped:
            print(f"  dropped: {line}")
        if not entries["comment"]:
            problems.append("no consultation is open for comment")
        if failures(warm):
            problems.append(f"warm-up: 5xx or no answer: {failures(warm)}")

        answers, elapsed = run_load(
            port,
            entries,
            clients=args.clients,
            seconds=args.seconds,
            timeout=args.timeout,
            comments=comments,
            seed=args.seed,
        )
        load = result["load"] = figures(answers, elapsed)
        load["failures"] = failures(answers)
        load["comments"] = check_comments(warm + answers)
        phase("load")
        print_figures("load", load)
        print(f"comments: {load['comments']}")
        if load["overall"]["status_5xx"] or load["overall"]["no_answer"]:
            problems.append(
                f"load: {load['overall']['status_5xx']} 5xx, "
                f"{load['overall']['no_answer']} without an answer: {load['failures']}"
            )
        if load["overall"]["status_4xx"]:
            problems.append(f"load: {load['overall']['status_4xx']} unexpected 4xx")
        if load["comments"]["lost"]:
            problems.append(f"load: acknowledged comments missing: {load['comments']['lost']}")

        if cluster and args.fault_seconds:
            problems += restart_run(
                args, cluster, port, server, logs / "gunicorn.log", entries, comments, result
            )
            phase("restart_run")
        from registry.audit import verify_chain

        result["checks"]["audit_chain"] = verify_chain() or "intact"
        if result["checks"]["audit_chain"] != "intact":
            problems.append(f"audit chain: {result['checks']['audit_chain']}")
    finally:
        if server is not None:
            bench_run.stop(server)
        if server_log is not None:
            server_log.close()
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if cluster is not None:
            cluster.__exit__(None, None, None)
        result["problems"] = problems
        out = (
            Path(args.out)
            if args.out
            else ROOT / "bench" / "results" / f"load-{result['date'][:10]}.json"
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
        print(f"\nphases (s): {result['phases_s']}\nresult: {out}; server logs: {logs}")
    if problems:
        print("FAILED:\n  " + "\n  ".join(problems))
        return 1
    print("all checks passed")
    return 0


def restart_run(args, cluster, port, server, server_log, entries, comments, result):
    """The load while PostgreSQL restarts; returns the problems found."""
    from registry.webhooks.models import WebhookSubscription

    problems = []
    receiver = Receiver()
    WebhookSubscription.objects.create(name="load run", url=receiver.url)
    from django.db import connections

    connections.close_all()  # this process's connection does not outlive the restart
    marks = []
    lead = min(4.0, args.fault_seconds / 4)

    def restart():
        time.sleep(lead)
        marks.extend(cluster.restart(args.outage))

    restarter = threading.Thread(target=restart)
    restarter.start()
    answers, elapsed = run_load(
        port,
        entries,
        clients=args.clients,
        seconds=max(args.fault_seconds, lead + args.outage + 5),
        timeout=args.timeout,
        comments=comments,
        seed=args.seed + 1,
    )
    restarter.join()
    fault = figures(answers, elapsed)
    fault["restart"] = restart_figures(answers, marks, args.timeout)
    fault["comments"] = check_comments(answers)
    workers_back_at = time.monotonic()
    while not job_workers(server.pid) and time.monotonic() - workers_back_at < 30:
        time.sleep(0.5)
    fault["job_worker_running"] = bool(job_workers(server.pid))
    delivered = publish_and_deliver(port, receiver)
    fault["webhook_after_restart_s"] = round(delivered, 2) if delivered is not None else None
    receiver.stop()
    fault["job_worker_restarts"] = server_log.read_text().count(
        "The procrastinate worker exited with"
    )
    result["restart"] = fault
    print_figures("load with a PostgreSQL restart", fault)
    restart = fault["restart"]
    print(
        f"PostgreSQL restart: down {restart['down_s']} s (shutdown {restart['shutdown_s']} s, "
        f"startup {restart['startup_s']} s; window {restart['outage_window_s']} s); "
        f"{restart['failed_during']} of {restart['requests_during']} requests meeting it "
        f"failed ({restart['failed_statuses']}; slowest {restart['slowest_failure_ms']} ms); "
        f"{restart['failed_after']} of {restart['requests_after']} after it failed; "
        f"recovery {restart['recovery_s']} s; first success "
        f"{restart['first_success_after_s']} s after PostgreSQL was up"
    )
    print(
        f"comments: {fault['comments']}; job worker running: {fault['job_worker_running']} "
        f"(restarted {fault['job_worker_restarts']} times); "
        f"webhook of a publish after the restart delivered in "
        f"{fault['webhook_after_restart_s']} s"
    )
    if restart["failed_before"]:
        problems.append(f"restart: {restart['failed_before']} failures before the stop")
    if restart["unclean_failures"]:
        problems.append(f"restart: unclean failures: {restart['unclean_failures']}")
    if restart["failed_after_bound"]:
        problems.append(
            f"restart: {restart['failed_after_bound']} failures more than {RECOVERY_BOUND} s "
            "after PostgreSQL was back"
        )
    if fault["comments"]["lost"]:
        problems.append(f"restart: acknowledged comments missing: {fault['comments']['lost']}")
    if not fault["job_worker_running"]:
        problems.append("restart: the job worker is not running")
    if fault["webhook_after_restart_s"] is None:
        problems.append("restart: the webhook of a publish after the restart was not delivered")
    return problems


if __name__ == "__main__":
    sys.exit(main())
