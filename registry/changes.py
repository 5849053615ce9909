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

from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.request import Request

from registry import audit, record_types
from registry.choices import Action, AuditAction

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


def _public_request():
    request = Request(RequestFactory().get("/api/v1/changes/"))
    request.user = AnonymousUser()
    return request


def _resources():
    """content type id -> (prefix, viewset class, model) of every registered resource."""
    resources = {}
    for record_type in record_types.registered():
        viewset = record_type.viewset(request=_public_request(), format_kwarg=None, kwargs={})
        model = viewset.base_queryset().model
        resources[ContentType.objects.get_for_model(model).pk] = (
            record_type.prefix,
            record_type.viewset,
            model,
        )
    return resources


def _render(entries, resources):
    """The public state of the objects the entries name, one query (plus prefetches) per
    resource type on the page."""
    request = _public_request()
    by_type = {}
    for entry in entries:
        by_type.setdefault(entry.content_type_id, set()).add(entry.object_id)
    states = {}
    for type_id, ids in by_type.items():
        if type_id not in resources:
            continue
        prefix, viewset_class, model = resources[type_id]
        viewset = viewset_class(request=request, format_kwarg=None, kwargs={})
        serializer_class = viewset.get_serializer_class()
        visible = viewset.base_queryset().restrict(request.user, Action.VIEW).filter(pk__in=ids)
        for record in visible:
            data = serializer_class(record, context={"request": request}).data
            states[type_id, record.pk] = ("present", {"record": data})
        tombstone_q = getattr(model, "tombstone_q", None)
        if tombstone_q is not None:
            gone = model.objects.filter(tombstone_q(), pk__in=ids - {p for _, p in states})
            for record in gone:
                states[type_id, record.pk] = ("tombstone", {"tombstone": record.public_tombstone()})
    return states


def events_for(entries):
    """The change-feed events of the given public audit entries, in their order, each
    rendered with its record's current public state (entries of unregistered types are
    left out)."""
    resources = _resources()
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

    entries = list(AuditEntry.objects.filter(is_public=True, seq__gt=after).order_by("seq")[:size])
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
    for _type_id, (_prefix, _viewset, model) in _resources().items():
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
