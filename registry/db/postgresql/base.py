"""Django's PostgreSQL backend, with a health check that costs no round trip.

With ``CONN_HEALTH_CHECKS`` Django checks a persistent connection before a request reuses
it, by running ``SELECT 1``: a round trip to the server on every request. An idle connection
has nothing to read unless the server sent something unasked, which is what it does when it
ends the session (a restart, a terminated backend: its last message, then the end of the
stream). So a readable socket is checked the slow way and a quiet one is usable."""

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if connection.info.transaction_status != pq.TransactionStatus.IDLE:
            return super().is_usable()
        poll = select.poll()  # not select(): it fails on descriptors numbered over 1023
        try:
            poll.register(connection.fileno(), select.POLLIN)
            readable = poll.poll(0)
        except (OSError, ValueError):
            return False
        return not readable or super().is_usable()
