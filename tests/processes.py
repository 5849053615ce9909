"""Helpers of the tests that run real processes (gunicorn, the procrastinate worker) on the
test database."""

import time
from urllib.parse import quote

from django.db import connection


def database_url():
    """The test database as a ``DATABASE_URL`` (host a name or a socket directory)."""
    s = connection.settings_dict
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    host = quote(s["HOST"] or "localhost", safe="")
    return (
        f"postgres://{quote(s['USER'], safe='')}{password}@{host}:{s['PORT'] or 5432}/{s['NAME']}"
    )


def wait_for(predicate, what, timeout=20, request=None):
    """Poll ``predicate`` until it returns something true; fails after ``timeout`` seconds,
    or when the background ``request`` finished meanwhile (naming its answer)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        if request is not None and not request.thread.is_alive():
            raise AssertionError(f"{what}: the request ended first: {request}")
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
