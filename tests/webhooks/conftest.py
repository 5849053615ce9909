"""A real HTTP receiver on 127.0.0.1 and the real procrastinate worker, run in this process
against the test database."""

import time

import pytest

from tests.webhooks.support import Receiver


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def webhook_settings(settings):
    """Short timeouts and backoff so that retries take fractions of a second."""
    settings.WEBHOOK_TIMEOUT = 0.5
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0.2
    settings.WEBHOOK_MAX_ATTEMPTS = 5
    return settings


def _clear_queue():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_periodic_defers")
        cursor.execute("DELETE FROM procrastinate_jobs")
        cursor.execute("DELETE FROM procrastinate_workers")


@pytest.fixture
def job_queue(db):
    """An empty procrastinate queue (its tables are not flushed between transactional
    tests)."""
    _clear_queue()
    yield
    _clear_queue()


@pytest.fixture
def run_worker(job_queue, webhook_settings, monkeypatch):
    """``run_worker(until=predicate)`` runs the real procrastinate worker on the webhook
    queue until ``predicate()`` is true (each round processes every job that is due, then
    returns); without ``until``, one round."""
    from django.db import connections
    from procrastinate.contrib.django import app

    # Connections opened by the worker's task threads close after each task, so none is
    # left open on the test database when it is dropped.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)

    def run(until=None, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            with app.replace_connector(app.connector.get_worker_connector()):
                app.run_worker(
                    queues=["webhooks"],
                    wait=False,
                    install_signal_handlers=False,
                    listen_notify=False,
                )
            if until is None or until():
                return
            assert time.monotonic() < deadline, "the worker did not get there in time"
            time.sleep(0.05)

    return run
