"""The cases measured by one client, one after another: the streamed export against
PostgreSQL's ``COPY``, the portal's full sync through the change feed, single creates and the
startup of ``make run``."""

import http.client
import os
import signal
import statistics
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from bench import cases
from bench.driver import Connection, MemorySampler

ROOT = Path(__file__).resolve().parent.parent


def copy_rows_per_second(database, select):
    """Rows per second of ``COPY (<select>) TO STDOUT (FORMAT csv)`` read to the end by a
    client, and its bytes (``database``: a URL, or an open psycopg connection)."""
    if isinstance(database, str):
        with psycopg.connect(database) as connection:
            return copy_rows_per_second(connection, select)
    with database.cursor() as cursor:
        started = time.perf_counter()
        size = 0
        with cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT csv)") as copy:
            for data in copy:
                size += len(data)
        rows = cursor.rowcount
        elapsed = time.perf_counter() - started
    return {"rows": rows, "seconds": elapsed, "rows_per_s": rows / elapsed, "bytes": size}


def export(port, master_pid, database_url, select, *, repeat):
    """The streamed CSV export measured ``repeat`` times, each followed by ``COPY`` of the
    same SELECT (interleaved, so the ratio comes from the same minutes of the run)."""
    runs = []
    for _ in range(repeat):
        connection = Connection(port)
        with MemorySampler(master_pid) as memory:
            first, elapsed, size, headers = connection.stream(cases.EXPORT_URI)
        manifest = connection.get_json(urlsplit(headers["X-Export-Manifest"]).path)
        connection.close()
        reference = copy_rows_per_second(database_url, select)
        rows = manifest["row_count"]
        runs.append(
            {
                "rows": rows,
                "bytes": size,
                "first_byte_ms": first * 1000,
                "seconds": elapsed,
                "rows_per_s": rows / elapsed,
                "memory_growth_mib": memory.growth_mib,
                "copy": reference,
                "ratio": (rows / elapsed) / reference["rows_per_s"],
            }
        )
    return runs


def feed_sync(port, *, limit=None):
    """Walks the change feed from the start (``page_size=1000``) as a portal does, until
    it is exhausted or ``limit`` events were read; events per second per tenth of the walk,
    to show whether the cost per event stays flat."""
    connection = Connection(port)
    uri = cases.FEED_URI
    events = 0
    marks = [(0, time.perf_counter())]
    while True:
        page = connection.get_json(uri)
        events += len(page["results"])
        marks.append((events, time.perf_counter()))
        if not page["results"] or (limit and events >= limit):
            break
        following = urlsplit(page["next"])
        uri = f"{following.path}?{following.query}"
    connection.close()
    total = marks[-1][1] - marks[0][1]
    tenths = []
    for i in range(10):
        lo, hi = marks[len(marks) * i // 10], marks[max(len(marks) * (i + 1) // 10 - 1, 0)]
        if hi[0] > lo[0]:
            tenths.append((hi[0] - lo[0]) / (hi[1] - lo[1]))
    return {
        "events": events,
        "seconds": total,
        "events_per_s": events / total if total else 0.0,
        "events_per_s_by_tenth": tenths,
    }


def creates(port, context, *, count):
    """Median milliseconds of ``count`` single creates by the editor (one at a time)."""
    connection = Connection(port)
    headers = {"Authorization": f"Token {context.editor_token}"}
    stamp = time.time_ns()
    timings = []
    for number in range(count):
        payload = cases.create_payload(context, f"{stamp}{number}")
        started = time.perf_counter()
        connection.post_json("/api/v1/enforcement-actions/", payload, headers)
        timings.append((time.perf_counter() - started) * 1000)
    connection.close()
    return {"count": count, "median_ms": statistics.median(timings), "timings_ms": timings}


def import_csv(context, rows):
    """A CSV of ``rows`` new enforcement decisions for the editor's department, half
    penalties (natural persons, so the redaction has work) and half licences."""
    import csv
    import io

    stamp = time.time_ns()
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(cases.IMPORT_COLUMNS)
    for number in range(rows):
        writer.writerow(cases.import_row(context, f"{stamp}-{number}", number))
    return text.getvalue().encode()


def bulk_import(port, context, *, rows, repeat):
    """Rows per second of ``POST …/bulk-import/`` with ``rows`` decisions, ``repeat``
    times (each a new file)."""
    runs = []
    for _ in range(repeat):
        payload = import_csv(context, rows)
        boundary = f"bench{time.time_ns()}"
        body = b"".join(
            [
                f"--{boundary}\r\n".encode(),
                b'Content-Disposition: form-data; name="file"; filename="import.csv"\r\n',
                b"Content-Type: text/csv\r\n\r\n",
                payload,
                f"\r\n--{boundary}--\r\n".encode(),
            ]
        )
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
        started = time.perf_counter()
        connection.request(
            "POST",
            cases.IMPORT_URI,
            body=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Authorization": f"Token {context.editor_token}",
            },
        )
        response = connection.getresponse()
        answer = response.read()
        elapsed = time.perf_counter() - started
        connection.close()
        if response.status != 201:
            raise RuntimeError(f"import: {response.status} {answer[:500]!r}")
        runs.append({"rows": rows, "seconds": elapsed, "rows_per_s": rows / elapsed})
    return runs


def startup(port, database_url, *, repeat):
    """Seconds from starting ``make run`` (an installed checkout whose database is already
    provisioned and loaded) to ``/healthz`` answering 200, ``repeat`` times."""
    environment = {**os.environ, "DATABASE_URL": database_url, "PORT": str(port)}
    timings = []
    for index in range(repeat + 1):
        started = time.perf_counter()
        process = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            seconds = _wait_healthy(port, process, started, deadline=900 if index == 0 else 120)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)
        if index:  # the first start provisions and loads the demo data: not timed
            timings.append(seconds)
    return {"seconds": timings, "median_s": statistics.median(timings)}


def _wait_healthy(port, process, started, *, deadline):
    while time.perf_counter() - started < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"make run exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", cases.HEALTH_URI)
            if connection.getresponse().status == 200:
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"/healthz did not answer within {deadline} s")
