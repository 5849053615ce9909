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
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from registry import audit, record_types
from registry.api.rows import iso_datetime_from, iso_datetime_sql
from registry.choices import AuditAction, FeedState
from registry.querying import prepared_cursor, text_with_parameters

MAX_PAGE_SIZE = 1000
PAGE_SIZE_MARK = "/* page size */"


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


def current_states(type_id, ids, resources=None):
    """``{pk: (state, body)}`` of the objects of one registered type that the public sees
    now — ``present`` with the record rendered, or ``tombstone`` — the others are
    ``removed``."""
    resources = resources if resources is not None else resources_by_type()
    if type_id not in resources:
        return {}
    prefix, viewset_class, model = resources[type_id]
    viewset, public = _public_rows(prefix, viewset_class, timezone.localdate())
    states = {
        pk: (FeedState.PRESENT, {"record": row})
        for pk, row in viewset.represented(public.filter(pk__any_of=ids))
    }
    hidden = set(ids) - states.keys()
    if getattr(model, "tombstone_q", None) is not None and hidden:
        states.update(
            (record.pk, (FeedState.TOMBSTONE, {"tombstone": body}))
            for record, body in _tombstones(model, hidden)
        )
    return states


def events_for(entries):
    """The change-feed events of the given public audit entries, in their order, each
    rendered with its record's current public state (entries of unregistered types are
    left out)."""
    resources = resources_by_type()
    by_type = {}
    for entry in entries:
        by_type.setdefault(entry.content_type_id, set()).add(entry.object_id)
    states = {
        (type_id, pk): state
        for type_id, ids in by_type.items()
        for pk, state in current_states(type_id, ids, resources).items()
    }
    return _events(entries, states, resources)


def _events(entries, states, resources):
    """The events of ``entries`` with the states ``{(content type id, pk): (state,
    body)}`` (``removed`` where absent)."""
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


def page(after, size, *, stored_states=False):
    """The events after sequence number ``after`` (at most ``size``), and the cursor to
    continue from (always returned, so a client can poll for what comes next).

    With ``stored_states``, the page is read with what the public sees of each record now
    and its stored state, in one statement (:func:`_page_statement`); a record's stored
    state is sent when it is at least as new as every event of the record on the page and
    the record is still in that state (records then hold ``orjson.Fragment``); any other
    record that is shown is rendered now."""
    from registry.models import AuditEntry

    if not stored_states:
        entries = list(
            AuditEntry.objects.filter(is_public=True, seq__gt=after)
            .order_by("seq")
            .only("seq", "created_at", "action", "content_type_id", "object_id")[:size]
        )
        last = entries[-1].seq if entries else after
        return events_for(entries), last
    resources = resources_by_type()
    sql = _page_statement(
        timezone.localdate(), timezone.get_current_timezone_name(), tuple(resources)
    ).replace(PAGE_SIZE_MARK, str(int(size)))
    with prepared_cursor() as cursor:
        cursor.execute(sql, [after])
        rows = cursor.fetchall()
    entries = [
        _Entry(seq, iso_datetime_from(local, offset), action, type_id, object_id)
        for seq, local, offset, action, type_id, object_id, *_rest in rows
    ]
    last = entries[-1].seq if entries else after
    return _events(entries, _page_states(rows, resources), resources), last


def _page_states(rows, resources):
    """``{(content type id, pk): (state, body)}`` of the records on a page read by
    :func:`_page_statement`: stored documents where they are current, the rest rendered now
    (one query per type that has any), absent for records the public no longer sees."""
    shown, withdrawn, stale = {}, {}, set()
    for *_entry, type_id, pk, state, document, is_shown, is_withdrawn in rows:
        key = (type_id, pk)
        if state is None:
            stale.add(key)
        if is_shown:
            shown[key] = (state, document)
        elif is_withdrawn:
            withdrawn[key] = (state, document)
    states, render, tombstones = {}, {}, {}
    for key, (state, document) in shown.items():
        if state == FeedState.PRESENT and key not in stale:
            states[key] = (FeedState.PRESENT, {"record": orjson.Fragment(document)})
        else:
            render.setdefault(key[0], []).append(key[1])
    for key, (state, document) in withdrawn.items():
        if state == FeedState.TOMBSTONE and key not in stale:
            states[key] = (FeedState.TOMBSTONE, {"tombstone": orjson.Fragment(document)})
        else:
            tombstones.setdefault(key[0], []).append(key[1])
    for type_id in render.keys() | tombstones.keys():
        prefix, viewset_class, model = resources[type_id]
        viewset, public = _public_rows(prefix, viewset_class, timezone.localdate())
        if type_id in render:
            rows = viewset.represented(public.filter(pk__any_of=render[type_id]))
            states.update(((type_id, pk), (FeedState.PRESENT, {"record": row})) for pk, row in rows)
        if type_id in tombstones:
            states.update(
                ((type_id, record.pk), (FeedState.TOMBSTONE, {"tombstone": body}))
                for record, body in _tombstones(model, tombstones[type_id])
            )
    return states


def _tombstones(model, ids):
    """``(record, public tombstone)`` of the withdrawn records of ``model`` among ``ids``."""
    from registry.api.serializers import TombstoneSerializer

    for record in model.objects.filter(model.tombstone_q(), pk__any_of=ids):
        yield record, TombstoneSerializer(record.public_tombstone()).data


@functools.lru_cache(maxsize=4)
def _page_statement(today, zone, type_ids):
    """The SQL of a page of public entries, each with its record's stored state when that
    state was rendered at or after the entry (else NULLs), whether the public sees the
    record now and whether it sees its tombstone: the public list querysets of every
    registered type (``_public_rows``) as conditions on the entry's object.

    One parameter, the position; the page size is written in for ``PAGE_SIZE_MARK``.
    Compiled once a day (what is public depends on the date), with every other value
    written into the text, which is prepared: PostgreSQL plans it once per connection.
    (``type_ids``, the registered content types' ids, are written in too: a test database
    flushed and filled again may renumber them.)"""
    from django.db.models import BigIntegerField, Case, OuterRef, Subquery, When

    from registry.models import AuditEntry, PublicState

    def first_id(queryset):
        # A scalar subquery, not EXISTS: PostgreSQL may run an EXISTS as one hash of every
        # row it could match (a scan of the table per page) where a probe of the page's
        # entries costs far less; a scalar subquery is always probed per entry.
        return Subquery(queryset.filter(pk=OuterRef("object_id")).values("pk")[:1])

    shown, withdrawn = [], []
    resources = resources_by_type()
    for type_id in type_ids:
        prefix, viewset_class, model = resources[type_id]
        _viewset, public = _public_rows(prefix, viewset_class, today)
        this = {"content_type_id": type_id}
        shown.append(When(**this, then=first_id(public.order_by())))
        if getattr(model, "tombstone_q", None) is not None:
            withdrawn.append(When(**this, then=first_id(model.objects.filter(model.tombstone_q()))))
    query = AuditEntry.objects.all().query
    compiler = query.get_compiler(using=DEFAULT_DB_ALIAS)
    conditions, condition_params = [], []
    for whens in (shown, withdrawn):
        case = Case(*whens, default=None, output_field=BigIntegerField())
        sql, params = compiler.compile(case.resolve_expression(query))
        conditions.append(f"({sql}) IS NOT NULL")
        condition_params += params
    entries, states = AuditEntry._meta.db_table, PublicState._meta.db_table
    # The page is read first (its LIMIT written in: the planner then knows it probes the
    # conditions for that many entries, rather than hashing every public row of every type),
    # under the table's name, which the compiled conditions refer to.
    sql = f"""
        SELECT {entries}.seq, {iso_datetime_sql(f"{entries}.created_at")}, {entries}.action,
               {entries}.content_type_id, {entries}.object_id, s.state, s.document,
               {conditions[0]}, {conditions[1]}
        FROM (
            SELECT seq, created_at, action, content_type_id, object_id FROM {entries}
            WHERE is_public AND seq > %s ORDER BY seq LIMIT {PAGE_SIZE_MARK}
        ) AS {entries}
        LEFT JOIN {states} s
          ON s.content_type_id = {entries}.content_type_id
         AND s.object_id = {entries}.object_id AND s.seq >= {entries}.seq
        ORDER BY {entries}.seq"""
    params = [zone, zone, *condition_params, None]
    return text_with_parameters(sql, params, [len(params) - 1])


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
