"""The audit log of the generated records: every recorded public event, in time order,
appended to the hash chain exactly as :func:`registry.audit.record` would have written it
(same lock, same numbering, same hashed content), then the public states that the change
feed sends and :mod:`registry.refresh` compares against."""

import datetime
import hashlib
import io
import json
import re
import tempfile

from bench.datagen.loader import EVENTS_TABLE, Table

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
COLUMNS = (
    "id seq created_at actor_id actor_username department_id request_id action content_type_id "
    "object_id object_repr before after reason is_public prev_hash entry_hash"
).split()
_UNESCAPE = re.compile(r"\\(.)")
_UNESCAPED = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", "v": "\v"}


def _field(text):
    """A text field of COPY's text output."""
    if "\\" not in text:
        return text
    return _UNESCAPE.sub(lambda m: _UNESCAPED.get(m.group(1), m.group(1)), text)


# The hashed content of an entry (``AuditEntry.hashed_content``): its fields as JSON with
# sorted keys, compact separators and UTF-8 text; the string values are encoded by the same
# encoder one by one. ``write`` checks the first and the last entry against the model.
CONTENT = (
    '{{"action":{action},"actor_id":null,"actor_username":"","after":null,"before":null,'
    '"content_type_id":{content_type},"created_at":"{created}","department_id":{department},'
    '"is_public":true,"object_id":{object},"object_repr":{text},"prev_hash":"{prev}",'
    '"reason":{reason},"request_id":"","seq":{seq}}}'
)
# created_at as Python's isoformat() writes an aware UTC datetime.
ISO_UTC = (
    "to_char(t AT TIME ZONE 'UTC', CASE WHEN extract(microseconds FROM t)::bigint % 1000000 = 0 "
    """THEN 'YYYY-MM-DD"T"HH24:MI:SS' ELSE 'YYYY-MM-DD"T"HH24:MI:SS.US' END) || '+00:00'"""
)


def write(loader):
    """Append the recorded events to ``registry_auditentry`` in time order; returns the
    number written. The events are read back sorted (spooled to a temporary file) and
    hashed while the loader's writer loads the entries."""
    from registry.audit import _CHAIN_LOCK, GENESIS_HASH
    from registry.models import AuditEntry

    loader.drain()
    connection = loader.connection
    loader.prepare(AuditEntry)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])
        cursor.execute("SELECT seq, entry_hash FROM registry_auditentry ORDER BY seq DESC LIMIT 1")
        seq, prev_hash = cursor.fetchone() or (0, GENESIS_HASH)
        cursor.execute("SET LOCAL work_mem = '256MB'")
    first_seq = seq + 1
    table = Table("registry_auditentry", [(c, c) for c in COLUMNS], [None] * len(COLUMNS))
    encode = json.JSONEncoder(ensure_ascii=False).encode
    next_id = loader.ids[AuditEntry._meta.db_table]
    with tempfile.TemporaryFile() as spool:
        with connection.cursor() as cursor:
            query = (
                f"SELECT {ISO_UTC}, ct, oid, coalesce(dept::text, 'null'), action, repr, reason "
                f"FROM {EVENTS_TABLE} ORDER BY t, n"
            )
            with cursor.copy(f"COPY ({query}) TO STDOUT") as copy:
                for data in copy:
                    spool.write(data)
            cursor.execute(f"DROP TABLE {EVENTS_TABLE}")
        spool.seek(0)
        for line in io.TextIOWrapper(spool, encoding="utf-8", newline="\n"):
            created, content_type, object_id, department, action, text, reason = line[:-1].split(
                "\t"
            )
            seq += 1
            next_id += 1
            content = CONTENT.format(
                action=encode(action),
                content_type=content_type,
                created=created,
                department=department,
                object=object_id,
                text=encode(_field(text)),
                prev=prev_hash,
                reason=encode(_field(reason)),
                seq=seq,
            )
            entry_hash = hashlib.sha256(content.encode()).hexdigest()
            # text and reason stay in COPY's escaping: read that way, written that way.
            department = "\\N" if department == "null" else department
            table.lines.append(
                f"{next_id}\t{seq}\t{created}\t\\N\t\t{department}\t\t{action}\t"
                f"{content_type}\t{object_id}\t{text}\t\\N\t\\N\t{reason}\tt\t{prev_hash}\t"
                f"{entry_hash}"
            )
            prev_hash = entry_hash
            if len(table.lines) >= loader.batch_rows:
                loader.send(table)
    loader.ids[AuditEntry._meta.db_table] = next_id
    loader.send(table)
    loader.drain()
    _check(first_seq, seq)
    return seq - first_seq + 1


def _check(*seqs):
    """The entries at ``seqs`` hash as the model computes it (guards the fast path above)."""
    from registry.models import AuditEntry

    for entry in AuditEntry.objects.filter(seq__in=seqs):
        if entry.compute_hash() != entry.entry_hash:
            raise AssertionError(f"audit entry #{entry.seq}: hash differs from the model's")


def remember_public_states(models, chunk=2000):
    """Store the feed state of every generated record the public sees (present or
    tombstone), as the ``post_save`` handler of each public event would have. Returns the
    number stored."""
    from django.contrib.contenttypes.models import ContentType

    from registry import changes, refresh

    resources = changes.resources_by_type()
    stored = 0
    for model in models:
        content_type_id = ContentType.objects.get_for_model(model).pk
        condition = model.public_q()
        if hasattr(model, "tombstone_q"):
            condition |= model.tombstone_q()
        ids = model.objects.filter(condition).order_by("pk").values_list("pk", flat=True)
        after = 0
        while batch := list(ids.filter(pk__gt=after)[:chunk]):
            refresh.remember(content_type_id, batch, resources)
            stored += len(batch)
            after = batch[-1]
    return stored
