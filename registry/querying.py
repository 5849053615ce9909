"""Small helpers for building querysets and running their statements."""

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.models import Lookup, Q
from psycopg.pq import Format


def prefix_q(q, prefix):
    """``q`` rewritten to apply through the relation ``prefix``: ``prefix_q(Q(status=1),
    "decision")`` is ``Q(decision__status=1)``. Lets a child record say "visible when its
    parent is" with the parent's own ``public_q``."""
    result = Q()
    result.connector, result.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, Q):
            result.children.append(prefix_q(child, prefix))
        else:
            lookup, value = child
            result.children.append((f"{prefix}__{lookup}", value))
    return result


class AnyOf(Lookup):
    """``filter(pk__any_of=ids)``: ``= ANY(%s)`` with the values as one array parameter.
    ``pk__in`` makes Django build and quote, and PostgreSQL parse, one parameter per value:
    milliseconds for the thousand ids of a change-feed page."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        values = [self.lhs.output_field.get_db_prep_value(v, connection) for v in self.rhs]
        return f"{lhs} = ANY(%s)", [*params, values]


def load_times_natively(cursor):
    """Have a Django cursor load ``timestamptz`` values with psycopg's own loader (its C
    implementation when installed). Django's is a Python subclass that labels each value UTC
    — which the session's time zone, set by Django, makes it already — and costs about 4 µs
    a value: 0.6 ms of a 50-row list page. The values are the same aware datetimes."""
    oid = psycopg.postgres.types["timestamptz"].oid
    cursor.cursor.adapters.register_loader(oid, psycopg.adapters.get_loader(oid, Format.TEXT))


def prepared_cursor(using=DEFAULT_DB_ALIAS):
    """A Django cursor whose statements PostgreSQL prepares: psycopg binds the parameters on
    the server and prepares each statement on its first run, so after a few runs PostgreSQL
    keeps a generic plan instead of planning it every time. (Django's own cursors bind on the
    client, writing the values into the SQL, and turn psycopg's automatic preparation off.)

    For a statement of a fixed shape run on every request whose plan does not depend on its
    values: the token read (a key on a unique index) costs about 1.7 ms to plan and 0.2 ms
    to run. Not for list pages: their partial indexes are chosen by comparing constants
    (``status = 'published'``), which a generic plan cannot see, so PostgreSQL would plan
    them on every run anyway. While queries are logged (DEBUG, a test counting queries, the
    bench's capture) it is Django's cursor, so the log holds each statement with its
    values."""
    connection = connections[using]
    if connection.queries_logged:
        return connection.cursor()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_PreparingCursor(connection.connection))


class _PreparingCursor(ServerBindingCursor):
    def execute(self, query, params=None, *, prepare=True, binary=None):
        return super().execute(query, params, prepare=prepare, binary=binary)
