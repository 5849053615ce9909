"""The change feed: every public event of every resource in one strictly increasing sequence.

The sequence is the audit chain's: entries are numbered under a transaction-scoped advisory
lock held until commit, so commit order is sequence order and a reader that sees entry N+1
has already been able to see entry N — paging by "sequence greater than the last one seen"
never skips or repeats, even while writers commit concurrently.

Each event is rendered with the record's *current* public state, so the feed never shows
more than the public API does: ``present`` (the public representation), ``tombstone``
(withdrawn: the public tombstone) or ``removed`` (no longer public, e.g. its display period
ended or it was withheld: only the resource and id)."""

import base64
import binascii
import functools

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from registry import audit, record_types
from registry.choices import AuditAction

MAX_PAGE_SIZE = 1000


def encode_cursor(seq):
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode().rstrip("=")


def decode_cursor(token):
    """The sequence number in a cursor; ``ValueError`` for anything we did not issue."""
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError(token) from exc
    prefix, _, number = text.partition(":")
    if prefix != "seq" or not number.isdigit():
        raise ValueError(token)
    return int(number)


@functools.cache
def _registered_models():
    """(prefix, viewset class, model) of every registered resource (fixed once the apps are
    ready)."""
    from registry.api.router import public_viewset

    return tuple(
        (t.prefix, t.viewset, public_viewset(t.prefix, t.viewset).base_queryset().model)
        for t in record_types.registered()
    )


def resources_by_type():
    """content type id -> (prefix, viewset class, model) of every registered resource."""
    return {
        ContentType.objects.get_for_model(model).pk: (prefix, viewset, model)
        for prefix, viewset, model in _registered_models()
    }


def resource_types(app_label=None):
    """Content type ids of the registered resources (of one app, when given)."""
    return [
        type_id
        for type_id, (_prefix, _viewset, model) in resources_by_type().items()
        if app_label in (None, model._meta.app_label)
    ]


def current_states(type_id, ids, resources=None):
    """``{pk: (state, body)}`` of the objects of one registered type that the public sees
    now — ``present`` with the record, or ``tombstone`` — one query (plus prefetches) each;
    the others are ``removed``."""
    from registry.api.router import public_viewset
    from registry.api.serializers import TombstoneSerializer

    resources = resources if resources is not None else resources_by_type()
    if type_id not in resources:
        return {}
    prefix, viewset_class, model = resources[type_id]
    viewset = public_viewset(prefix, viewset_class)
    visible = viewset.get_queryset().filter(pk__in=ids)
    states = {pk: ("present", {"record": row}) for pk, row in viewset.represented(visible)}
    tombstone_q = getattr(model, "tombstone_q", None)
    if tombstone_q is not None:
        for record in model.objects.filter(tombstone_q(), pk__in=set(ids) - states.keys()):
            tombstone = TombstoneSerializer(record.public_tombstone()).data
            states[record.pk] = ("tombstone", {"tombstone": tombstone})
    return states


def _render(entries, resources):
    by_type = {}
    for entry in entries:
        by_type.setdefault(entry.content_type_id, set()).add(entry.object_id)
    return {
        (type_id, pk): state
        for type_id, ids in by_type.items()
        for pk, state in current_states(type_id, ids, resources).items()
    }


def events_for(entries):
    """The change-feed events of the given public audit entries, in their order, each
    rendered with its record's current public state (entries of unregistered types are
    left out)."""
    resources = resources_by_type()
    states = _render(entries, resources)
    events = []
    for entry in entries:
        if entry.content_type_id not in resources:
            continue
        prefix = resources[entry.content_type_id][0]
        state, body = states.get((entry.content_type_id, entry.object_id), ("removed", {}))
        events.append(
            {
                "seq": entry.seq,
                "occurred_at": entry.created_at,
                "event": entry.action,
                "resource": prefix,
                "id": entry.object_id,
                "state": state,
                **body,
            }
        )
    return events


def page(after, size):
    """The events after sequence number ``after`` (at most ``size``), and the cursor to
    continue from (always returned, so a client can poll for what comes next)."""
    from registry.models import AuditEntry

    entries = list(
        AuditEntry.objects.filter(is_public=True, seq__gt=after)
        .order_by("seq")
        .only("seq", "created_at", "action", "content_type_id", "object_id")[:size]
    )
    last = entries[-1].seq if entries else after
    return events_for(entries), last


def emit_expiry_events(today=None):
    """Record a public ``display_ended`` event for every published record whose expiry date
    (``expiry_field``) has passed and that has no such event yet. Idempotent; run daily."""
    from django.db import transaction
    from django.db.models import Exists, OuterRef

    from registry.models import AuditEntry

    today = today or timezone.localdate()
    emitted = 0
    for _type_id, (_prefix, _viewset, model) in resources_by_type().items():
        field = getattr(model, "expiry_field", None)
        if field is None:
            continue
        content_type = ContentType.objects.get_for_model(model)
        announced = AuditEntry.objects.filter(
            content_type=content_type, object_id=OuterRef("pk"), action=AuditAction.DISPLAY_ENDED
        )
        due = (
            model.objects.filter(status="published", **{f"{field}__lt": today})
            .exclude(Exists(announced))
            .order_by("pk")
        )
        for record in due.iterator(chunk_size=500):
            with transaction.atomic():
                audit.record(
                    record,
                    AuditAction.DISPLAY_ENDED,
                    actor=None,
                    reason=f"{field} {getattr(record, field).isoformat()}",
                )
            emitted += 1
    return emitted
