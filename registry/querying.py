"""Small helpers for building querysets and running their statements."""

import psycopg
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
