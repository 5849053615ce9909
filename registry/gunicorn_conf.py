"""gunicorn configuration used by ``make run`` (and by the benchmarks)."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

wsgi_app = "registry.wsgi:application"
worker_class = "sync"
# A sync worker is killed when one request takes longer than this, and a bulk export of a
# whole resource streams as fast as the client reads it (a slow client: minutes).
timeout = 600
graceful_timeout = 10
accesslog = "-"
errorlog = "-"
loglevel = "info"
control_socket_disable = True  # no per-user control socket under $HOME

# The procrastinate worker (webhook deliveries and periodic jobs, on the same PostgreSQL)
# runs beside gunicorn: started once the server is ready, restarted if it crashes, stopped
# when the server exits. REGISTRY_WORKER=0 leaves it out (e.g. when it runs elsewhere).
_worker = {"process": None, "stopping": False}


def _start_worker(server):
    manage = Path(__file__).resolve().parent.parent / "manage.py"
    process = subprocess.Popen([sys.executable, str(manage), "procrastinate", "worker"])
    _worker["process"] = process
    server.log.info("Started the procrastinate worker (pid %s)", process.pid)
    return process


def _watch_worker(server, process):
    # Any exit is restarted, a clean one too: the worker exits with 0 when it loses its
    # database (PostgreSQL restarted), and only on_exit stops it on purpose.
    while True:
        code = process.wait()
        if _worker["stopping"]:
            return
        server.log.error("The procrastinate worker exited with %s; restarting in 5 s", code)
        time.sleep(5)
        if _worker["stopping"]:
            return
        process = _start_worker(server)


def when_ready(server):
    if os.environ.get("REGISTRY_WORKER", "1") == "0":
        return
    process = _start_worker(server)
    threading.Thread(target=_watch_worker, args=(server, process), daemon=True).start()


def on_exit(server):
    _worker["stopping"] = True
    process = _worker["process"]
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    server.log.info("Stopped the procrastinate worker")
