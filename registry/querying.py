"""Small helpers for building querysets."""

from django.db.models import Lookup, Q


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
