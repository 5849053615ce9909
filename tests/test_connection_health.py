"""The health check of persistent connections (registry/db/postgresql): a quiet connection
is usable without a query; one the server ended is not, and the next query reconnects."""

import time

import pytest
from django.db import connection, connections
from django.db.backends.postgresql.base import DatabaseWrapper as DjangoWrapper

pytestmark = pytest.mark.django_db(transaction=True)


def _terminate(pid):
    """End the backend ``pid`` from another connection, and wait until its socket tells."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    time.sleep(0.2)


def test_a_quiet_connection_is_usable_without_a_query(monkeypatch):
    connection.ensure_connection()
    monkeypatch.setattr(DjangoWrapper, "is_usable", lambda self: pytest.fail("a query was sent"))
    assert connection.is_usable()


def test_a_connection_the_server_ended_is_not_usable_and_the_next_query_reconnects():
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    _terminate(pid)
    assert not connection.is_usable()
    connection.health_check_done = False  # as at the start of a request
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def test_a_connection_in_a_transaction_is_checked_with_a_query(monkeypatch):
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        try:
            sent = []
            monkeypatch.setattr(DjangoWrapper, "is_usable", lambda self: sent.append(1) or True)
            assert connection.is_usable() and sent == [1]
        finally:
            cursor.execute("ROLLBACK")
