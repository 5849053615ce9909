"""``make bench``: every benchmark case against the registry served by gunicorn with the
configuration ``make run`` uses, and against the reference (``bench/reference.py``) in the same
run, interleaved. Writes ``bench/results/<date>.json`` and ``bench/RESULTS.md``.

    .venv/bin/python bench/run.py --database-url postgres://postgres@127.0.0.1:5432/registry_bench

The database is generated (``bench/generate.py``, ``--scale``) when it does not exist yet and
reused otherwise. See ``bench/README.md``.
"""

import argparse
import datetime
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROJECT_PORT, REFERENCE_PORT, STARTUP_PORT = 18001, 18002, 18003
UNLIMITED = "100000000/minute"


def arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", help="default: registry_bench next to DATABASE_URL, else privately"
    )
    parser.add_argument("--scale", type=float, default=1.0, help="when generating")
    parser.add_argument("--seconds", type=int, default=10, help="each wrk run")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each case and side")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (make run's)")
    parser.add_argument("--cases", default="", help="comma-separated subset")
    parser.add_argument("--feed-events", type=int, default=0, help="0: the whole feed")
    parser.add_argument("--creates", type=int, default=200)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--export-repeat", type=int, default=3)
    parser.add_argument("--import-repeat", type=int, default=3)
    parser.add_argument("--no-report", action="store_true", help="do not rewrite RESULTS.md")
    args = parser.parse_args(argv)
    # (Only now: finding the default starts the private cluster, which a given URL must not.)
    args.database_url = args.database_url or default_database_url()
    return args


def default_database_url():
    """``registry_bench`` on the server of ``DATABASE_URL``, else on the private cluster."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/registry_bench"
    from registry import devdb

    devdb.ensure_running()
    return devdb.database_url("registry_bench")


def server_environment(database_url):
    """The environment both servers run in: the bench database, no background worker, rate
    limits out of the way (counted in Redis when it answers, as a deployment would)."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REGISTRY_WORKER": "0",
        "REGISTRY_RATE_LIMIT_ANONYMOUS": UNLIMITED,
        "REGISTRY_RATE_LIMIT_KEYED": UNLIMITED,
    }
    if "REDIS_URL" not in environment and redis_answers():
        environment["REDIS_URL"] = "redis://127.0.0.1:6379/15"
    return environment


def redis_answers():
    import socket

    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def ensure_database(database_url, scale):
    """Create, migrate and generate the database unless it exists."""
    import psycopg

    server, name = database_url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
    if not exists:
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "generate.py"),
                "--database-url",
                database_url,
                "--scale",
                str(scale),
                "--create",
            ],
            check=True,
        )


def ensure_empty_database(database_url):
    import psycopg

    server, name = database_url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        if not connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def start_server(app, port, workers, environment, log):
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            app,
            "--config",
            str(ROOT / "registry" / "gunicorn_conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env=environment,
        stdout=log,
        stderr=log,
    )
    from bench.driver import children

    deadline = time.time() + 60
    while len(children(process.pid)) < workers:
        if process.poll() is not None or time.time() > deadline:
            raise RuntimeError(f"gunicorn {app} did not start; see {log.name}")
        time.sleep(0.2)
    time.sleep(1)
    return process


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def summarise(values):
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "values": values,
    }


def machine():
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        line.split()[1]
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(int(memory) / 1024 / 1024),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def main():
    args = arguments()
    ensure_database(args.database_url, args.scale)
    environment = server_environment(args.database_url)
    os.environ.update(environment)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
    import django

    django.setup()
    from django.db import connection

    from bench import capture, cases, reference, sequential
    from bench import context as bench_context
    from bench.driver import wrk

    selected = set(filter(None, args.cases.split(",")))
    wanted = [c for c in cases.THROUGHPUT if not selected or c.name in selected]
    context = bench_context.build()
    plan, captured = {}, {}
    for case in wanted:
        request = case.request(context)
        result = capture.capture(request)
        if result.status != 200 or not result.rows:
            raise SystemExit(f"{case.name}: {result.status} with {result.rows} rows")
        captured[case.name] = result
        authorization = dict(request.headers).get("Authorization", "")
        plan[reference.plan_key(request.uri, authorization)] = result.statements
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_setting('shared_buffers')")
        server_version, shared_buffers = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM enforcement_enforcementaction")
        action_rows = cursor.fetchone()[0]
    connection.close()

    results = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "machine": {
            **machine(),
            "postgresql": server_version.split(",")[0],
            "shared_buffers": shared_buffers,
        },
        "data": {
            "enforcement_actions": action_rows,
            "department": context.department,
            "department_rows": context.department_rows,
            "deep_depth": context.deep_depth,
            "search_rare": context.search_rare,
            "search_common": context.search_common,
        },
        "settings": {
            "seconds": args.seconds,
            "repeat": args.repeat,
            "workers": args.workers,
            "rate_limits_in": "redis" if "REDIS_URL" in environment else "postgresql",
        },
        "throughput": {},
    }
    logs = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    plan_file = logs / "plan.json"
    plan_file.write_text(json.dumps(plan, ensure_ascii=False))
    project_log = open(logs / "project.log", "w")  # noqa: SIM115 - closed at the end
    reference_log = open(logs / "reference.log", "w")  # noqa: SIM115
    project_server = start_server(
        "registry.wsgi:application", PROJECT_PORT, args.workers, environment, project_log
    )
    reference_server = start_server(
        "bench.reference:application",
        REFERENCE_PORT,
        args.workers,
        {**environment, "BENCH_PLAN": str(plan_file)},
        reference_log,
    )
    sides = {
        "project": f"http://127.0.0.1:{PROJECT_PORT}",
        "reference": f"http://127.0.0.1:{REFERENCE_PORT}",
    }
    try:
        for case in wanted:  # warm-up: every worker has connected and loaded its code
            for base in sides.values():
                wrk(base, case.request(context), seconds=2, connections=case.connections)
        runs = {case.name: {"project": [], "reference": []} for case in wanted}
        for round_number in range(args.repeat):
            for case in wanted:
                order = list(sides) if round_number % 2 == 0 else list(reversed(sides))
                for side in order:
                    runs[case.name][side].append(
                        wrk(
                            sides[side],
                            case.request(context),
                            seconds=args.seconds,
                            connections=case.connections,
                        )
                    )
            print(f"round {round_number + 1}/{args.repeat} done", flush=True)
        for case in wanted:
            project_runs, reference_runs = runs[case.name]["project"], runs[case.name]["reference"]
            results["throughput"][case.name] = {
                "title": case.title,
                "target": case.target,
                "uri": case.request(context).uri,
                "queries": captured[case.name].queries,
                "rows": captured[case.name].rows,
                "rps": summarise([r["rps"] for r in project_runs]),
                "median_ms": summarise([r["median_ms"] for r in project_runs]),
                "reference_rps": summarise([r["rps"] for r in reference_runs]),
                "reference_median_ms": summarise([r["median_ms"] for r in reference_runs]),
                "ratio": summarise(
                    [p["rps"] / r["rps"] for p, r in zip(project_runs, reference_runs, strict=True)]
                ),
                "bad_status": sum(r["bad_status"] for r in project_runs + reference_runs),
            }
        stop(reference_server)
        if not selected or "export" in selected:
            select = capture.export_select()
            results["export"] = sequential.export(
                PROJECT_PORT,
                project_server.pid,
                args.database_url,
                select,
                repeat=args.export_repeat,
            )
        if not selected or "feed" in selected:
            results["feed"] = sequential.feed_sync(PROJECT_PORT, limit=args.feed_events or None)
        if not selected or "create" in selected:
            results["create"] = sequential.creates(PROJECT_PORT, context, count=args.creates)
        if not selected or "import" in selected:
            results["import"] = sequential.bulk_import(
                PROJECT_PORT, context, rows=args.import_rows, repeat=args.import_repeat
            )
        stop(project_server)
        if not selected or "startup" in selected:
            startup_url = args.database_url + "_startup"
            ensure_empty_database(startup_url)
            results["startup"] = sequential.startup(STARTUP_PORT, startup_url, repeat=3)
    finally:
        stop(reference_server)
        stop(project_server)
        # (Named by the run's UTC date, as RESULTS.md names it.)
        out = ROOT / "bench" / "results" / f"{results['date'][:10]}.json"
        out.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
        print(f"results (so far): {out}; server logs: {logs}")
    if not args.no_report:
        from bench import report

        report.write(results)


if __name__ == "__main__":
    main()
