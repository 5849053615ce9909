"""Writing and verifying the hash-chained audit log."""

import json

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from registry.choices import PUBLIC_AUDIT_ACTIONS
from registry.middleware import current_request_id

GENESIS_HASH = "0" * 64
# pg_advisory_xact_lock key that serialises appends to the chain.
_CHAIN_LOCK = 7_240_001


def snapshot(obj):
    """The stored field values of ``obj`` as plain JSON (decimals and dates as strings)."""
    data = {}
    for field in obj._meta.concrete_fields:
        value = getattr(obj, field.attname)
        data[field.attname] = value.name if isinstance(value, FieldFile) else value
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def record(obj, action, *, actor, before=None, after=None, reason="", department=None):
    """Append one entry for ``action`` on ``obj``. Must run inside the writing transaction:
    the entry commits or rolls back with the change it describes."""
    from registry.models import AuditEntry

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside transaction.atomic()")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
    last = AuditEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
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
    return entry


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
