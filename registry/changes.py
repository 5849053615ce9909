"""The change feed: every public event of every resource in one strictly increasing sequence.

The sequence is the audit chain's: entries are numbered under a transaction-scoped advisory
lock held until commit, so commit order is sequence order and a reader that sees entry N+1
has already been able to see entry N — paging by "sequence greater than the last one seen"
never skips or repeats, even while writers commit concurrently.

Each event is shown with the record's *current* public state, so the feed never shows
more than the public API does: ``present`` (the public representation), ``tombstone``
(withdrawn: the public tombstone) or ``removed`` (no longer public, e.g. its display period
ended or it was withheld: only the resource and id).

The API's pages send the state stored after the record's latest public event
(:class:`~registry.models.PublicState`, see :mod:`registry.refresh`) instead of rendering
the record again, while the record is still public in that state (checked when the page is
read); records without such a state are rendered."""

import base64
import binascii
import functools
from typing import NamedTuple

import orjson
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from registry import audit, record_types
from registry.api.rows import iso_datetime_from, iso_datetime_sql
from registry.choices import AuditAction, FeedState

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


@functools.lru_cache(maxsize=64)
def _public_rows(prefix, viewset_class, today):
    """The anonymous list viewset of a resource and what it shows (never evaluated itself,
    only filtered); built once a day, as what is public depends on the date."""
    from registry.api.router import public_viewset

    viewset = public_viewset(prefix, viewset_class)
    return viewset, viewset.get_queryset()


def current_states(type_id, ids, resources=None, stored=None):
    """``{pk: (state, body)}`` of the objects of one registered type that the public sees
    now — ``present`` with the record, or ``tombstone`` — the others are ``removed``.

    ``stored`` (``{pk: (state, document)}``) holds stored states known to be at least as new
    as the events being shown (:class:`~registry.models.PublicState`). An object still in
    its stored state is sent as stored (``orjson.Fragment``) instead of being rendered again:
    one query reads which objects the public sees, so visibility is always checked now."""
    from registry.api.serializers import TombstoneSerializer

    resources = resources if resources is not None else resources_by_type()
    if type_id not in resources:
        return {}
    prefix, viewset_class, model = resources[type_id]
    viewset, public = _public_rows(prefix, viewset_class, timezone.localdate())
    visible = public.filter(pk__any_of=ids)
    states = {}
    stored = stored or {}
    if stored:
        shown = set(visible.prefetch_related(None).values_list("pk", flat=True))
        states = {
            pk: (FeedState.PRESENT, {"record": orjson.Fragment(stored[pk][1])})
            for pk in shown
            if stored.get(pk, ("",))[0] == FeedState.PRESENT
        }
        unrendered = shown - states.keys()
        visible = visible.filter(pk__any_of=unrendered) if unrendered else None
    if visible is not None:
        states.update(
            (pk, (FeedState.PRESENT, {"record": row})) for pk, row in viewset.represented(visible)
        )
    tombstone_q = getattr(model, "tombstone_q", None)
    hidden = set(ids) - states.keys()
    if tombstone_q is not None and hidden:
        withdrawn = model.objects.filter(tombstone_q(), pk__any_of=hidden)
        if stored:  # records are read only for the tombstones not stored
            withdrawn_ids = set(withdrawn.values_list("pk", flat=True))
            for pk in withdrawn_ids:
                state, document = stored.get(pk, ("", ""))
                if state == FeedState.TOMBSTONE:
                    states[pk] = (FeedState.TOMBSTONE, {"tombstone": orjson.Fragment(document)})
            unstored = withdrawn_ids - states.keys()
            withdrawn = withdrawn.filter(pk__any_of=unstored) if unstored else ()
        for record in withdrawn:
            tombstone = TombstoneSerializer(record.public_tombstone()).data
            states[record.pk] = (FeedState.TOMBSTONE, {"tombstone": tombstone})
    return states


def _render(entries, resources, stored):
    by_type = {}
    for entry in entries:
        by_type.setdefault(entry.content_type_id, set()).add(entry.object_id)
    return {
        (type_id, pk): state
        for type_id, ids in by_type.items()
        for pk, state in current_states(
            type_id, ids, resources, stored.get(type_id) if stored else None
        ).items()
    }


def events_for(entries, stored=None):
    """The change-feed events of the given public audit entries, in their order, each
    rendered with its record's current public state (entries of unregistered types are
    left out). ``stored``: ``{content type id: {pk: (state, document)}}``, see
    :func:`current_states`."""
    resources = resources_by_type()
    states = _render(entries, resources, stored)
    events = []
    for entry in entries:
        if entry.content_type_id not in resources:
            continue
        prefix = resources[entry.content_type_id][0]
        state, body = states.get((entry.content_type_id, entry.object_id), (FeedState.REMOVED, {}))
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


class _Entry(NamedTuple):
    """An audit entry as the feed page reads it: ``created_at`` already in its ISO 8601
    text (as ``represent_events`` would write it)."""

    seq: int
    created_at: str
    action: str
    content_type_id: int
    object_id: int


@functools.cache
def _page_sql():
    """The page's public entries, each with its record's stored state when that state was
    rendered at or after the entry (else NULLs). Parameters: the time zone (twice), the
    position, the page size."""
    from registry.models import AuditEntry, PublicState

    return f"""
        SELECT e.seq, {iso_datetime_sql("e.created_at")}, e.action, e.content_type_id,
               e.object_id, s.state, s.document
        FROM {AuditEntry._meta.db_table} e
        LEFT JOIN {PublicState._meta.db_table} s
          ON s.content_type_id = e.content_type_id AND s.object_id = e.object_id
         AND s.seq >= e.seq
        WHERE e.is_public AND e.seq > %s
        ORDER BY e.seq
        LIMIT %s"""


def page(after, size, *, stored_states=False):
    """The events after sequence number ``after`` (at most ``size``), and the cursor to
    continue from (always returned, so a client can poll for what comes next).

    With ``stored_states``, a record's stored state is sent when it is at least as new as
    every event of the record on the page and the record is still in that state (records
    then hold ``orjson.Fragment``); any other record is rendered now."""
    from registry.models import AuditEntry

    if not stored_states:
        entries = list(
            AuditEntry.objects.filter(is_public=True, seq__gt=after)
            .order_by("seq")
            .only("seq", "created_at", "action", "content_type_id", "object_id")[:size]
        )
        last = entries[-1].seq if entries else after
        return events_for(entries), last
    zone = timezone.get_current_timezone_name()
    with connection.cursor() as cursor:
        cursor.execute(_page_sql(), [zone, zone, after, size])
        rows = cursor.fetchall()
    entries = [
        _Entry(seq, iso_datetime_from(local, offset), action, type_id, object_id)
        for seq, local, offset, action, type_id, object_id, _state, _document in rows
    ]
    stored, stale = {}, set()
    for entry, (*_, state, document) in zip(entries, rows, strict=True):
        key = (entry.content_type_id, entry.object_id)
        if state is None:
            stale.add(key)
        else:
            stored.setdefault(entry.content_type_id, {})[entry.object_id] = (state, document)
    for type_id, pk in stale:
        stored.get(type_id, {}).pop(pk, None)
    last = entries[-1].seq if entries else after
    return events_for(entries, stored), last


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
