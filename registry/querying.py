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


def prepared_cursor(using=DEFAULT_DB_ALIAS, *, always=True):
    """A Django cursor whose statements PostgreSQL prepares: psycopg binds the parameters on
    the server and prepares each statement on its first run (``always``), or once it has run
    the same text ``prepare_threshold`` times on the connection (settings: 5), keeping at
    most ``prepared_max`` (100) per connection; the settings have PostgreSQL keep a generic
    plan of each from its first run (``plan_cache_mode``). (Django's own cursors bind on the
    client, writing the values into the SQL, and are never prepared.)

    Always, for a statement of a fixed shape run on every request whose plan does not depend
    on its values: the token read (a key on a unique index) costs about 1.7 ms to plan and
    0.2 ms to run. A statement whose plan depends on its values — a list page, whose partial
    indexes are chosen by comparing constants (``status = 'published'``), which a generic
    plan cannot see — is prepared with those values written into its text (see
    :func:`text_with_parameters`) and by the threshold, so that the texts that recur are
    planned once per connection. While queries are logged (DEBUG, a test counting queries,
    the bench's capture) it is Django's cursor, so the log holds each statement with its
    values."""
    connection = connections[using]
    if connection.queries_logged:
        return connection.cursor()
    connection.ensure_connection()
    cursor_class = _PreparingCursor if always else ServerBindingCursor
    with connection.wrap_database_errors:
        return connection._prepare_cursor(cursor_class(connection.connection))


class _PreparingCursor(ServerBindingCursor):
    def execute(self, query, params=None, *, prepare=True, binary=None):
        return super().execute(query, params, prepare=prepare, binary=binary)


def text_with_parameters(sql, params, kept, using=DEFAULT_DB_ALIAS):
    """``sql`` with its ``params`` written in as Django's cursors write them, but for the
    parameters at the indexes ``kept``, which stay placeholders (``%s``) to be bound on the
    server: the text of a statement to prepare once for every value of those."""
    connection = connections[using]
    markers = {index: f"registry_parameter_{index}_{id(sql)}" for index in kept}
    written = connection.ops.compose_sql(
        sql, [markers.get(index, param) for index, param in enumerate(params)]
    )
    written = written.replace("%", "%%")
    for marker in markers.values():
        quoted = f"'{marker}'"
        if written.count(quoted) != 1:
            raise ValueError(f"parameter marker {marker} not found once in the statement")
        written = written.replace(quoted, "%s")
    return written
