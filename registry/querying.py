"""Small helpers for building querysets."""

from django.db.models import Q


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
