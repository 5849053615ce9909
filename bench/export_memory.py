"""Memory benchmark of the streamed bulk export (``…/bulk-export/?format=csv|ndjson|xlsx``).

Run as a whole process (see ``bench/README.md``)::

    .venv/bin/python bench/export_memory.py [--database-url URL] [--rows 10000,100000]
                                            [--repeat 3] [--keep-db]

The parent process creates a fresh database, migrates it and inserts the largest N published
enforcement officers once. Every measurement then runs in a fresh child process (this script
with ``--child``): Django setup, one tiny warm-up export, the baseline RSS, the measured export
(bytes read chunk by chunk and discarded), the peak RSS. Besides csv, ndjson and xlsx, each N
is also measured the naive way ("materialised": every row serialized into one in-memory JSON
document) as the contrast measured in the same run. The parent prints medians and ratios and
writes them to ``bench/results/export_memory-<date>.json``.
"""

import argparse
import datetime
import gc
import hashlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/"
DEFAULT_DB_NAME = "bench_exports"
EXPORT_URL = "/api/v1/enforcement-officers/bulk-export/"
STREAMED_FORMATS = ("csv", "ndjson", "xlsx")
MATERIALISED = "materialised"
MODES = (*STREAMED_FORMATS, MATERIALISED)
WARMUP_ROWS = 50
WARMUP_YEAR = 2000  # batch i (1-based) of the measured rows is dated in year 2000 + i
BATCH_SIZE = 5000
CHILD_TIMEOUT = 3600


# --------------------------------------------------------------------------- memory


def proc_status_kb(field):
    """A ``/proc/self/status`` figure (``VmRSS``, ``VmHWM`` …) in kB."""
    text = Path("/proc/self/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.MULTILINE).group(1))


def reset_peak_rss():
    """Reset VmHWM to the current RSS (Linux ≥ 4.0: ``5`` into ``/proc/self/clear_refs``).
    Returns whether it worked; where it does not, the baseline is the warm-up's peak."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return proc_status_kb("VmHWM") <= proc_status_kb("VmRSS") + 64


def mb(kb):
    return round(kb / 1024, 2)


# --------------------------------------------------------------------------- database


def bench_url(given):
    """The URL of the benchmark database: the one given, else ``bench_exports`` on the
    server of ``$DATABASE_URL`` (else on the machine's PostgreSQL at 127.0.0.1:5432)."""
    if given:
        return given
    server = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_SERVER)
    return server._replace(path=f"/{DEFAULT_DB_NAME}", query="").geturl()


def admin_connection(url):
    """An autocommit connection to the server's ``postgres`` database."""
    import psycopg

    return psycopg.connect(urlsplit(url)._replace(path="/postgres").geturl(), autocommit=True)


def db_name(url):
    return urlsplit(url).path.lstrip("/")


def create_database(url):
    """Create the benchmark database; refuse to touch one that exists already."""
    from psycopg import sql

    name = db_name(url)
    with admin_connection(url) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            sys.exit(
                f"database {name} exists already; drop it (dropdb {name}) or pass another "
                "--database-url"
            )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url):
    from psycopg import sql

    with admin_connection(url) as conn:
        statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        conn.execute(statement.format(sql.Identifier(db_name(url))))


def django_env(url):
    """The environment of every Django process of the benchmark."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "registry.settings",
        "DJANGO_DEBUG": "0",  # DEBUG keeps every query in memory
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench"),
        "PYTHONPATH": str(ROOT),
    }


def migrate(url):
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=ROOT,
        env=django_env(url),
        check=True,
    )


def setup_django(url=None):
    if url:
        os.environ.update(django_env(url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def batch_sizes(rows):
    """Rows per dated batch: the warm-up batch, then each N minus the previous N."""
    sizes, previous = [WARMUP_ROWS], 0
    for n in rows:
        sizes.append(n - previous)
        previous = n
    return sizes


def insert_rows(rows):
    """One department, one published enforcement body and ``WARMUP_ROWS + max(rows)``
    published officers, inserted with ``bulk_create`` (bypassing the workflow: no audit
    entries, no change feed). Batch i is dated in year ``WARMUP_YEAR + i``."""
    from django.utils import timezone

    from enforcement.choices import OfficerStatus
    from enforcement.models import EnforcementBody, EnforcementOfficer
    from registry.choices import DepartmentKind, RecordStatus
    from registry.models import Department

    now = timezone.now()
    department = Department.objects.create(
        code="bench",
        name_zh="基准测试局",
        name_en="Benchmark Bureau",
        kind=DepartmentKind.DEPARTMENT,
    )
    published = {"status": RecordStatus.PUBLISHED, "published_at": now, "department": department}
    body = EnforcementBody.objects.bulk_create(
        [
            EnforcementBody(
                index_number="BENCH/BODY-1",
                name="基准测试局执法大队",
                date_made=datetime.date(WARMUP_YEAR, 1, 1),
                legal_authority="《基准测试条例》第一条",
                jurisdiction="全区",
                address="测试路1号",
                complaint_phone="12345",
                **published,
            )
        ]
    )[0]
    number = 0
    for batch, size in enumerate(batch_sizes(rows)):
        year = WARMUP_YEAR + batch
        officers = []
        for i in range(size):
            number += 1
            officers.append(
                EnforcementOfficer(
                    body=body,
                    index_number=f"BENCH/{year}-{number:07d}",
                    name=f"执法人员{number:07d}",
                    summary=f"基准测试数据：第{number}名执法人员，持有行政执法证，在岗。",
                    date_made=datetime.date(year, 1, 1) + datetime.timedelta(days=i % 365),
                    certificate_number=f"BENCH{number:09d}",
                    valid_until=datetime.date(2030, 12, 31),
                    officer_status=OfficerStatus.ACTIVE,
                    **published,
                )
            )
        for start in range(0, len(officers), BATCH_SIZE):
            EnforcementOfficer.objects.bulk_create(officers[start : start + BATCH_SIZE])
    return number


def filters_for(batch):
    """The list filter selecting the rows of batches 1..``batch`` (0: the warm-up batch)."""
    if batch == 0:
        return {"date_made_before": f"{WARMUP_YEAR}-12-31"}
    return {
        "date_made_after": f"{WARMUP_YEAR + 1}-01-01",
        "date_made_before": f"{WARMUP_YEAR + batch}-12-31",
    }


# --------------------------------------------------------------------------- child


def streamed_export(client, export_format, filters, expected_rows):
    """GET the bulk export, read it chunk by chunk (counted, hashed, discarded) and check
    its manifest. Returns the number of bytes."""
    query = urlencode({"format": export_format, **filters})
    response = client.get(f"{EXPORT_URL}?{query}")
    if response.status_code != 200 or not response.streaming:
        raise SystemExit(f"export answered {response.status_code}: {response.content[:500]!r}")
    size, hasher = 0, hashlib.sha256()
    for chunk in response.streaming_content:
        size += len(chunk)
        hasher.update(chunk)
    response.close()
    manifest = client.get(response["X-Export-Manifest"]).json()
    expected = {"status": "complete", "row_count": expected_rows, "byte_count": size}
    found = {name: manifest.get(name) for name in expected}
    if found != expected or manifest.get("sha256") != hasher.hexdigest():
        raise SystemExit(f"manifest {manifest} does not match {expected}")
    return size


def materialised_export(filters, expected_rows):
    """The naive way: the viewset's queryset (same filters) loaded into a list, serialized
    with ``many=True`` into one list and dumped as one JSON document. Returns its size."""
    from django.core.serializers.json import DjangoJSONEncoder
    from django.test import RequestFactory

    from enforcement.api.views import EnforcementOfficerViewSet

    view = EnforcementOfficerViewSet(action_map={"get": "list"})
    view.setup(RequestFactory().get(EXPORT_URL, filters))
    view.request = view.initialize_request(view.request)
    view.action, view.format_kwarg = "list", None
    data = view.get_serializer(list(view.export_queryset()), many=True).data
    document = json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder).encode()
    if len(data) != expected_rows:
        raise SystemExit(f"materialised {len(data)} rows, expected {expected_rows}")
    return len(document)


def run_child(args):
    """One measurement in this (fresh) process; prints one JSON line."""
    setup_django()
    from django.test import Client

    client = Client()
    filters = json.loads(args.filters)

    def export(chosen, rows):
        if args.mode == MATERIALISED:
            return materialised_export(chosen, rows)
        return streamed_export(client, args.mode, chosen, rows)

    startup_kb = proc_status_kb("VmHWM")
    export(filters_for(0), WARMUP_ROWS)
    gc.collect()
    hwm_reset = reset_peak_rss()
    baseline_kb = proc_status_kb("VmHWM")
    started = time.perf_counter()
    size = export(filters, args.expect)
    seconds = time.perf_counter() - started
    peak_kb = proc_status_kb("VmHWM")
    result = {
        "format": args.mode,
        "rows": args.expect,
        "bytes": size,
        "seconds": round(seconds, 3),
        "startup_mb": mb(startup_kb),
        "baseline_mb": mb(baseline_kb),
        "peak_mb": mb(peak_kb),
        "growth_mb": mb(peak_kb - baseline_kb),
        "hwm_reset": hwm_reset,
        "load1": os.getloadavg()[0],
    }
    print(json.dumps(result))


# --------------------------------------------------------------------------- parent


def measure(url, mode, rows, batch):
    """Run one child and return its result."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--mode",
        mode,
        "--filters",
        json.dumps(filters_for(batch)),
        "--expect",
        str(rows),
    ]
    done = subprocess.run(
        command, env=django_env(url), capture_output=True, text=True, timeout=CHILD_TIMEOUT
    )
    if done.returncode != 0:
        sys.exit(f"child {mode} {rows} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_all(url, rows, repeat):
    """Every (N, mode) ``repeat`` times, interleaved so that drifting load hits all alike."""
    runs = []
    for round_number in range(1, repeat + 1):
        for batch, n in enumerate(rows, start=1):
            for mode in MODES:
                result = measure(url, mode, n, batch)
                result["round"] = round_number
                runs.append(result)
                print(
                    f"  round {round_number}  {n:>8} {mode:<12} {result['seconds']:>7.2f} s"
                    f"  growth {result['growth_mb']:>7.2f} MB  (load {result['load1']:.2f})",
                    flush=True,
                )
    return runs


def ratio(numerator, denominator):
    return round(numerator / denominator, 2) if denominator > 0 else None


def summarise(runs, rows):
    """Medians per (N, mode), with growth relative to the smallest N of the same mode and
    to the materialised contrast at the same N."""
    medians = {}
    for n in rows:
        for mode in MODES:
            mine = [r for r in runs if r["rows"] == n and r["format"] == mode]
            seconds = statistics.median(r["seconds"] for r in mine)
            size = statistics.median(r["bytes"] for r in mine)
            medians[(n, mode)] = {
                "rows": n,
                "format": mode,
                "runs": len(mine),
                "seconds": round(seconds, 3),
                "rows_per_s": round(n / seconds),
                "mb_per_s": round(size / 2**20 / seconds, 2),
                "bytes": size,
                "baseline_mb": round(statistics.median(r["baseline_mb"] for r in mine), 2),
                "growth_mb": round(statistics.median(r["growth_mb"] for r in mine), 2),
                "growth_min_mb": min(r["growth_mb"] for r in mine),
                "growth_max_mb": max(r["growth_mb"] for r in mine),
            }
    for (n, mode), row in medians.items():
        row["growth_vs_smallest_n"] = ratio(row["growth_mb"], medians[(rows[0], mode)]["growth_mb"])
        row["growth_vs_materialised"] = ratio(
            row["growth_mb"], medians[(n, MATERIALISED)]["growth_mb"]
        )
    return list(medians.values())


def print_table(summary, rows):
    header = (
        f"{'rows':>8}  {'format':<12} {'s':>7} {'rows/s':>8} {'MB/s':>6} {'base MB':>8} "
        f"{'growth MB':>10} {'(min-max)':>13} {'vs mat.':>8} {f'vs N={rows[0]}':>10}"
    )
    print(header)
    print("-" * len(header))
    for row in summary:
        spread = f"{row['growth_min_mb']:.1f}-{row['growth_max_mb']:.1f}"
        print(
            f"{row['rows']:>8}  {row['format']:<12} {row['seconds']:>7.2f} "
            f"{row['rows_per_s']:>8} {row['mb_per_s']:>6.2f} {row['baseline_mb']:>8.1f} "
            f"{row['growth_mb']:>10.2f} {spread:>13} {_fmt(row['growth_vs_materialised']):>8} "
            f"{_fmt(row['growth_vs_smallest_n']):>10}"
        )


def _fmt(value):
    return "n/a" if value is None else f"{value:.2f}"


def machine():
    """What the figures were measured on."""

    def git(*command):
        return subprocess.run(["git", *command], cwd=ROOT, capture_output=True, text=True).stdout

    revision = git("rev-parse", "--short", "HEAD").strip()
    if git("status", "--porcelain", "--untracked-files=no").strip():
        revision += "-dirty"  # the tree differs from the commit
    mem_total = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)
    return {
        "cpus": os.cpu_count(),
        "mem_total_gib": round(int(mem_total) / 2**20, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "git_revision": revision,
    }


def write_results(report):
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"export_memory-{datetime.date.today().isoformat()}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return path


def run_parent(args):
    rows = sorted({int(n) for n in args.rows.split(",")})
    url = bench_url(args.database_url)
    print(f"database {db_name(url)}: creating, migrating, inserting {rows[-1]} rows", flush=True)
    create_database(url)
    try:
        started = time.perf_counter()
        migrate(url)
        setup_django(url)
        inserted = insert_rows(rows)
        from django.db import connections

        connections.close_all()
        setup_seconds = round(time.perf_counter() - started, 1)
        print(f"setup done in {setup_seconds} s ({inserted} rows incl. warm-up)", flush=True)
        load_before = os.getloadavg()
        runs = run_all(url, rows, args.repeat)
        load_after = os.getloadavg()
    finally:
        if args.keep_db:
            print(f"kept database {db_name(url)}")
        else:
            drop_database(url)
    summary = summarise(runs, rows)
    print()
    print_table(summary, rows)
    report = {
        "benchmark": "export_memory",
        "when": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "rows": rows,
        "repeat": args.repeat,
        "setup_seconds": setup_seconds,
        "machine": machine(),
        "loadavg_before": load_before,
        "loadavg_after": load_after,
        "summary": summary,
        "runs": runs,
    }
    print(f"\nload average before {load_before}, after {load_after}")
    print(f"results: {write_results(report).relative_to(ROOT)}")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="the benchmark database to create (and drop)")
    parser.add_argument("--rows", default="10000,100000", help="comma-separated row counts")
    parser.add_argument("--repeat", type=int, default=3, help="measurements per N and format")
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    child = parser.add_argument_group("internal (one measurement in a child process)")
    child.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    child.add_argument("--mode", choices=MODES, help=argparse.SUPPRESS)
    child.add_argument("--filters", help=argparse.SUPPRESS)
    child.add_argument("--expect", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.child:
        run_child(args)
    else:
        run_parent(args)


if __name__ == "__main__":
    main()
