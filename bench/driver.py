"""Load generation and measurement over loopback: ``wrk`` for throughput and latency, a
keep-alive ``http.client`` for the sequential cases (export, feed walk, creates, startup)."""

import http.client
import json
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

import orjson

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def require_wrk():
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit(
            "wrk is not installed: `apt-get install wrk` (Debian's package; make bench "
            "installs it when run as root)"
        )
    return path


def _milliseconds(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS[unit]


def parse_wrk(output):
    """Requests per second, median latency (ms), requests and non-2xx/3xx answers."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    median = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    total = re.search(r"(\d+) requests in", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    if not (rate and median and total):
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    return {
        "rps": float(rate.group(1)),
        "median_ms": _milliseconds(median.group(1)),
        "requests": int(total.group(1)),
        "bad_status": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def wrk(base_url, request, *, seconds, connections, threads=2):
    threads = min(threads, connections)
    command = [
        require_wrk(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "30s",
    ]
    for name, value in request.headers:
        command += ["-H", f"{name}: {value}"]
    command.append(base_url + request.uri)
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return parse_wrk(result.stdout)


class Connection:
    """One keep-alive HTTP connection to 127.0.0.1:port."""

    def __init__(self, port, timeout=600):
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def get_json(self, uri, headers=None):
        self.http.request("GET", uri, headers=headers or {})
        response = self.http.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {uri}: {response.status} {body[:500]!r}")
        # orjson: the client's parsing of a 1 MB feed page must not be what is measured.
        return orjson.loads(body)

    def post_json(self, uri, payload, headers):
        self.http.request(
            "POST",
            uri,
            body=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", **headers},
        )
        response = self.http.getresponse()
        body = response.read()
        if response.status != 201:
            raise RuntimeError(f"POST {uri}: {response.status} {body[:500]!r}")
        return json.loads(body)

    def stream(self, uri, chunk=65536):
        """(seconds to the first byte, seconds in all, bytes, headers) of a GET read to the
        end in chunks."""
        started = time.perf_counter()
        self.http.request("GET", uri)
        response = self.http.getresponse()
        if response.status != 200:
            raise RuntimeError(f"GET {uri}: {response.status} {response.read()[:500]!r}")
        first = None
        size = 0
        while data := response.read1(chunk):
            if first is None:
                first = time.perf_counter() - started
            size += len(data)
        return first, time.perf_counter() - started, size, dict(response.getheaders())

    def close(self):
        self.http.close()


def resident_kib(pid):
    """VmRSS of a process in KiB (0 once it has gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    match = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(match.group(1)) if match else 0


def children(pid):
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


class MemorySampler:
    """Samples the resident memory of a server's workers every ``interval`` seconds and
    reports the largest growth of any one worker over its resident size at the start."""

    def __init__(self, master_pid, interval=0.01):
        self.master_pid = master_pid
        self.interval = interval
        self.baseline = {pid: resident_kib(pid) for pid in children(master_pid)}
        self.peak = dict(self.baseline)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            for pid in self.baseline:
                self.peak[pid] = max(self.peak[pid], resident_kib(pid))
            time.sleep(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        return False

    @property
    def growth_mib(self):
        return max(self.peak[pid] - self.baseline[pid] for pid in self.baseline) / 1024
