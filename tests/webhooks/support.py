"""Helpers of the webhook tests: a real HTTP receiver and a look into the job queue."""

import http.server
import threading
import time


class Receiver:
    """An HTTP server on 127.0.0.1 (a free port) that records every request it gets.

    ``behave(path, number)`` says how to answer the ``number``-th request (1-based) to a
    path: an HTTP status, ``"close"`` (drop the connection without answering) or
    ``"hang"`` (answer nothing until well after the client's timeout). Each record has
    ``path``, ``headers`` (case-insensitive), ``body`` (raw bytes) and ``answer``."""

    def __init__(self):
        self.requests = []
        self.behave = lambda path, number: 200
        self._lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver._lock:
                    number = 1 + sum(r["path"] == self.path for r in receiver.requests)
                    answer = receiver.behave(self.path, number)
                    receiver.requests.append(
                        {
                            "path": self.path,
                            "headers": self.headers,
                            "body": body,
                            "answer": answer,
                        }
                    )
                if answer == "hang":
                    time.sleep(2)
                if answer in ("close", "hang"):
                    self.close_connection = True
                    return
                self.send_response(answer)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/hook"):
        host, port = self.server.server_address
        return f"http://{host}:{port}{path}"

    def acknowledged(self, path):
        """The requests to ``path`` that were answered 2xx."""
        with self._lock:
            return [
                r
                for r in self.requests
                if r["path"] == path and isinstance(r["answer"], int) and r["answer"] < 300
            ]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def queued_jobs(task_name=None):
    """The jobs waiting in the procrastinate queue."""
    from procrastinate.contrib.django.models import ProcrastinateJob

    jobs = ProcrastinateJob.objects.filter(status="todo")
    if task_name:
        jobs = jobs.filter(task_name=task_name)
    return list(jobs)
