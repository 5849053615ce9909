"""Keeping the change feed faithful when public content changes without a write.

Some of what the public API shows depends on the date: a consultation opens and closes
(``is_open``), pre-published drafts become public on the day consultation opens, a bond's
annual disclosure falls due on 30 June, a display period ends and takes the record (or its
tombstone) off the public lists. No service function runs on those days, so no event would
tell a mirror.

Every time a public event is committed, the record's state in the feed — its public
representation or its tombstone — is stored with its digest (SHA-256) (:func:`remember`);
the feed sends the stored document while it is current (:class:`registry.models.PublicState`).
Daily, :func:`refresh_public_states` renders every record of every registered type again and
records a public ``refreshed`` event for each one whose state differs from its digest
(including ones that appeared or disappeared); a portal following the feed then fetches the
new state like any other change."""

import datetime
import functools
import hashlib
import json
import threading

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from registry import audit, changes
from registry.api.renderers import encode
from registry.choices import AuditAction

CHUNK = 500


def digest(state, body):
    text = json.dumps(
        {"state": state, **body}, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder
    )
    return hashlib.sha256(text.encode()).hexdigest()


def _latest_public_events(content_type_id, object_ids):
    from registry.models import AuditEntry

    return dict(
        AuditEntry.objects.filter(
            content_type_id=content_type_id, object_id__any_of=object_ids, is_public=True
        )
        .values_list("object_id")
        .annotate(Max("seq"))
        .order_by()
    )


def _current(content_type_id, object_ids, resources):
    """``(latest, states)``: the objects' latest public events, read first, then their
    current feed states (``changes.current_states``), which are therefore at least as new."""
    latest = _latest_public_events(content_type_id, object_ids)
    return latest, changes.current_states(content_type_id, object_ids, resources)


def _store_states(content_type_id, states, latest):
    _store(
        content_type_id,
        [
            {
                "object_id": pk,
                "state": state,
                # The body's one value: the record, or its tombstone.
                "document": encode(next(iter(body.values()))).decode(),
                "seq": latest.get(pk, 0),
                "digest": digest(state, body),
            }
            for pk, (state, body) in states.items()
        ],
    )


def remember(content_type_id, object_ids, resources=None):
    """Store these objects' current feed states, with their digests and the latest public
    event each state is at least as new as; forget the removed."""
    from registry.models import PublicState

    latest, current = _current(content_type_id, object_ids, resources)
    mine = PublicState.objects.filter(content_type_id=content_type_id)
    mine.filter(object_id__in=set(object_ids) - current.keys()).delete()
    _store_states(content_type_id, current, latest)


@functools.cache
def _store_sql():
    """Upsert of states given as one JSON array (``bulk_create`` sends them as text arrays,
    whose client-side quoting of JSON documents cost more than rendering them)."""
    from registry.models import PublicState

    return f"""
        INSERT INTO {PublicState._meta.db_table}
            (content_type_id, object_id, state, document, seq, digest, updated_at)
        SELECT %s, r.object_id, r.state, r.document, r.seq, r.digest, statement_timestamp()
        FROM json_to_recordset(%s)
            AS r(object_id bigint, state text, document text, seq bigint, digest text)
        ON CONFLICT (content_type_id, object_id) DO UPDATE SET
            state = EXCLUDED.state, document = EXCLUDED.document, seq = EXCLUDED.seq,
            digest = EXCLUDED.digest, updated_at = EXCLUDED.updated_at"""


def _store(content_type_id, states):
    if states:
        with connection.cursor() as cursor:
            cursor.execute(_store_sql(), [content_type_id, orjson.dumps(states).decode()])


_pending = threading.local()


def remember_after_commit(content_type_id, object_id):
    """Take the digest of this object's feed state once the current transaction commits.
    The first on-commit callback takes every digest queued in this thread, one render per
    type (a cascade of N events costs one query set, not N); the later ones find nothing
    left. Objects queued by a transaction that rolled back are taken with the next commit,
    which is harmless: a digest is always of the current state."""
    items = getattr(_pending, "items", None)
    if items is None:
        items = _pending.items = {}
    items.setdefault(content_type_id, set()).add(object_id)
    transaction.on_commit(_remember_pending)


def _remember_pending():
    items, _pending.items = getattr(_pending, "items", None) or {}, {}
    if items:
        resources = changes.resources_by_type()
        for content_type_id, object_ids in items.items():
            remember(content_type_id, sorted(object_ids), resources)


def _announced_since(content_type_id, pks, moment):
    """The ones among ``pks`` with a public event at or after ``moment``."""
    from registry.models import AuditEntry

    return set(
        AuditEntry.objects.filter(
            content_type_id=content_type_id,
            object_id__in=pks,
            is_public=True,
            created_at__gte=moment,
        ).values_list("object_id", flat=True)
    )


def _refresh_chunk(content_type_id, model, resources, after, start_of_day, reason):
    """Compare the feed states of one chunk of records (pk > ``after``) with their digests;
    return the last pk looked at (``None`` at the end) and the number of events."""
    from registry.models import PublicState

    ids = list(
        model.objects.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:CHUNK]
    )
    upto = ids[-1] if ids else None
    latest, states = _current(content_type_id, ids, resources)
    current = {pk: digest(state, body) for pk, (state, body) in states.items()}
    mine = PublicState.objects.filter(content_type_id=content_type_id, object_id__gt=after)
    if upto is not None:
        mine = mine.filter(object_id__lte=upto)
    rows = list(mine.values_list("object_id", "digest", "seq"))
    stored = {pk: value for pk, value, _seq in rows}
    undocumented = {pk for pk, _value, seq in rows if seq == 0}
    changed = {pk for pk, value in current.items() if pk in stored and stored[pk] != value}
    unknown = current.keys() - stored.keys()
    # Public without a digest: it became public without an event (e.g. a pre-published
    # draft on the day consultation opens) or predates digests. Announce it, unless it was
    # announced today already (readers then saw today's state).
    changed |= unknown - _announced_since(content_type_id, unknown, start_of_day)
    gone = stored.keys() - current.keys()
    with transaction.atomic():
        for record in model.objects.filter(pk__in=changed | gone).order_by("pk"):
            audit.record(record, AuditAction.REFRESHED, actor=None, reason=reason)
        mine.filter(object_id__in=gone).delete()
    # The announced are remembered after their events commit (registry/signals.py); states
    # stored before documents were (seq 0) get theirs.
    # (Rendered above: no second rendering.)
    unchanged = ((unknown | undocumented) & current.keys()) - changed
    _store_states(content_type_id, {pk: states[pk] for pk in sorted(unchanged)}, latest)
    return upto, len(changed | gone)


def refresh_public_states(today=None):
    """Announce every feed state that changed since its last event (run daily, after
    :func:`registry.changes.emit_expiry_events`). Returns the number of events."""
    today = today or timezone.localdate()
    start_of_day = datetime.datetime.combine(
        today, datetime.time(), tzinfo=timezone.get_current_timezone()
    )
    reason = f"refresh {today.isoformat()}"
    resources = changes.resources_by_type()
    emitted = 0
    for content_type_id, (_prefix, _viewset, model) in resources.items():
        after = 0
        while after is not None:
            after, count = _refresh_chunk(
                content_type_id, model, resources, after, start_of_day, reason
            )
            emitted += count
    return emitted
