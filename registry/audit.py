"""Writing and verifying the hash-chained audit log."""

import functools

import orjson
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from registry.bulk import copy_rows
from registry.choices import PUBLIC_AUDIT_ACTIONS, AuditAction
from registry.middleware import current_request_id

GENESIS_HASH = "0" * 64
# pg_advisory_xact_lock key that serialises appends to the chain.
_CHAIN_LOCK = 7_240_001


_json_encoder = DjangoJSONEncoder()


def snapshot(obj):
    """The stored field values of ``obj`` as plain JSON (decimals and dates as strings, as
    Django's JSON encoder writes them)."""
    data = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        data[field.attname] = value.name if isinstance(value, FieldFile) else value
    encoded = orjson.dumps(
        data,
        default=_json_encoder.default,
        option=orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS,
    )
    return orjson.loads(encoded)


def _chain_head(caller):
    """Lock the chain until the writing transaction commits (so entries are appended in
    commit order) and return the last entry's ``(seq, entry_hash)``, ``(0, genesis)`` for
    an empty chain."""
    from registry.models import AuditEntry

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{caller} must be called inside transaction.atomic()")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
    last = AuditEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
    return last if last else (0, GENESIS_HASH)


def record(obj, action, *, actor, before=None, after=None, reason="", department=None, _seen=None):
    """Append one entry for ``action`` on ``obj``. Must run inside the writing transaction:
    the entry commits or rolls back with the change it describes."""
    from registry.models import AuditEntry

    seq, prev_hash = _chain_head("audit.record")
    seq += 1
    if department is None:
        department_id = getattr(obj, "department_id", None)
    else:
        department_id = department.pk
    entry = AuditEntry(
        seq=seq,
        created_at=timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_username=getattr(actor, "username", "") or "",
        department_id=department_id,
        request_id=current_request_id.get(),
        action=action,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        object_repr=str(obj)[:300],
        before=before,
        after=after,
        reason=reason,
        is_public=action in PUBLIC_AUDIT_ACTIONS,
        prev_hash=prev_hash,
    )
    entry.entry_hash = entry.compute_hash()
    entry.save(force_insert=True)
    if entry.is_public:
        _refresh_dependents(obj, actor, action, _seen)
    return entry


def record_many(objects, action, *, actor, after=None):
    """Append one entry for ``action`` on each of ``objects`` (of one model) at once: the
    chain is extended in memory and written with one ``COPY``. For events that are not
    public (public events announce dependents one by one through :func:`record`).
    ``after`` is a function of an object giving its entry's ``after``. Returns the number
    of entries."""
    from psycopg.types.json import Jsonb

    from registry.models import AuditEntry

    if action in PUBLIC_AUDIT_ACTIONS:
        raise ValueError(f"{action} is public: record it with audit.record")
    if not objects:
        return 0
    seq, prev_hash = _chain_head("audit.record_many")
    common = {
        "created_at": timezone.now(),
        "actor_id": actor.pk if actor is not None and actor.is_authenticated else None,
        "actor_username": getattr(actor, "username", "") or "",
        "request_id": current_request_id.get(),
        "action": str(action),
        "content_type_id": ContentType.objects.get_for_model(objects[0]).pk,
        "before": None,
        "reason": "",
        "is_public": False,
    }
    columns = [name for name in AuditEntry.HASHED_FIELDS if name != "before"]  # before: NULL
    rows = []
    for obj in objects:
        seq += 1
        values = {
            **common,
            "seq": seq,
            "department_id": getattr(obj, "department_id", None),
            "object_id": obj.pk,
            "object_repr": str(obj)[:300],
            "after": after(obj) if after else None,
            "prev_hash": prev_hash,
        }
        prev_hash = AuditEntry.hash_of(values)
        if values["after"] is not None:  # (plain JSON values: orjson encodes them as json would)
            values["after"] = Jsonb(values["after"], dumps=orjson.dumps)
        rows.append([*(values[name] for name in columns), prev_hash])
    copy_rows(AuditEntry, [*columns, "entry_hash"], rows)
    return len(rows)


# Events after which the records that are public only while this one is may have appeared or
# disappeared (owner_field / public_through); other events only touch explicit dependents.
VISIBILITY_EVENTS = (
    AuditAction.PUBLISHED,
    AuditAction.WITHDRAWN,
    AuditAction.DISPLAY_ENDED,
    AuditAction.REFRESHED,
)


@functools.cache
def _owned_by(model):
    """(label, lookup) of the record types public only while a ``model`` record is."""
    from django.apps import apps

    return tuple(
        (other._meta.label, field)
        for other in apps.get_models()
        for field in (getattr(other, "owner_field", None), *getattr(other, "public_through", ()))
        if field and other._meta.get_field(field).related_model is model
    )


def _refresh_dependents(obj, actor, action, seen=None):
    """Records whose public representation embeds or depends on ``obj`` changed with it:
    announce them too (``refreshed``), when the public sees them now or has seen them.
    A model names them in ``public_dependents`` as ``(model label, lookup from that model to
    obj)``, e.g. a decision listing its documents: ``("decisions.Decision", "documents")``;
    records public only while ``obj`` is (their ``owner_field``) follow its visibility
    events. The cascade visits each record once."""
    from django.apps import apps
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Q

    from registry.choices import Action
    from registry.models import AuditEntry
    from registry.permissions import restrict

    seen = seen if seen is not None else {(obj._meta.label, obj.pk)}
    dependents = list(getattr(type(obj), "public_dependents", ()))
    if action in VISIBILITY_EVENTS:
        dependents += _owned_by(type(obj))
    for label, lookup in dependents:
        model = apps.get_model(label)
        announced = AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model), is_public=True
        ).values("object_id")
        # Public now (the one permission path, as the anonymous reader) or announced before.
        public = restrict(model._default_manager.all(), AnonymousUser(), Action.VIEW)
        found = model._default_manager.filter(**{lookup: obj}).filter(
            Q(pk__in=public.values("pk")) | Q(pk__in=announced)
        )
        for dependent in found.distinct().order_by("pk"):
            if (label, dependent.pk) in seen:
                continue
            seen.add((label, dependent.pk))
            reason = f"{obj._meta.model_name} #{obj.pk} {action}"
            record(dependent, AuditAction.REFRESHED, actor=actor, reason=reason, _seen=seen)


def verify_chain(batch_size=5000):
    """Walk the chain in order; return ``None`` if intact, else (seq, problem) of the first
    bad entry."""
    from registry.models import AuditEntry

    expected_prev, expected_seq = GENESIS_HASH, 1
    with transaction.atomic():
        for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=batch_size):
            if entry.seq != expected_seq:
                return expected_seq, f"entry #{expected_seq} is missing (next found: #{entry.seq})"
            if entry.prev_hash != expected_prev:
                return entry.seq, "previous-hash link does not match the preceding entry"
            if entry.compute_hash() != entry.entry_hash:
                return entry.seq, "content does not match its hash (altered)"
            expected_prev, expected_seq = entry.entry_hash, entry.seq + 1
    return None
