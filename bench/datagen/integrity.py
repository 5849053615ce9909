"""Constraints and indexes during the bulk load.

Foreign keys are checked once in bulk instead of row by row.

Django's foreign keys are ``DEFERRABLE INITIALLY DEFERRED``: every loaded row queues one
trigger event per key, and the commit then looks each one up (about a minute at scale 1.0).
When the session may (superuser) and no table being loaded has an insert trigger of its
own, the bulk load runs with ``session_replication_role = replica``, which skips those
referential-integrity triggers, and :func:`check_foreign_keys` then verifies every key of
every loaded row with one anti-join per key. Unique, check and not-null constraints are
enforced as always.

Indexes (but primary keys) are dropped during the load and built again afterwards."""

from contextlib import contextmanager

from django.db import models


@contextmanager
def bulk_mode(connection, tables):
    """Skip the per-row referential-integrity triggers inside the block where allowed;
    yields whether it did."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        superuser = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgtype & 4 <> 0 "
            "AND tgrelid = ANY(%s::regclass[])",
            [list(tables)],
        )
        own_triggers = cursor.fetchone()[0]
        relaxed = superuser and not own_triggers
        if relaxed:
            cursor.execute("SET LOCAL session_replication_role = replica")
    try:
        yield relaxed
    finally:
        if relaxed:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")


def check_foreign_keys(connection, models_, first_ids):
    """Raise if a row loaded in this run (id ≥ its table's first id) points at nothing."""
    broken = []
    with connection.cursor() as cursor:
        for model in models_:
            table = model._meta.db_table
            for field in model._meta.concrete_fields:
                if not isinstance(field, models.ForeignKey) or not field.db_constraint:
                    continue
                target = field.target_field
                cursor.execute(
                    f'SELECT count(*) FROM "{table}" c WHERE c.id >= %s '
                    f'AND c."{field.column}" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM '
                    f'"{target.model._meta.db_table}" p WHERE p."{target.column}" = '
                    f'c."{field.column}")',
                    [first_ids[table]],
                )
                if count := cursor.fetchone()[0]:
                    broken.append(f"{table}.{field.column}: {count}")
    if broken:
        raise ValueError(f"rows pointing at nothing: {', '.join(broken)}")


def drop_indexes(connection, tables):
    """Drop the indexes of ``tables`` but their primary keys (and the unique constraints
    that foreign keys rely on), and return the statements that build them again, for
    :func:`build_indexes` after the load: one sort per index instead of a million
    insertions. Uniqueness is then checked when each unique constraint is added back (a
    duplicate fails the run)."""
    tables = list(tables)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c WHERE c.contype = 'u' AND c.conrelid = ANY(%s::regclass[]) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' "
            "AND f.conindid = c.conindid) ORDER BY 1, 2",
            [tables],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
            [tables],
        )
        indexes = cursor.fetchall()
        for table, name, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    return [
        *(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
          for table, name, definition in constraints),
        *(definition for _name, definition in indexes),
    ]  # fmt: skip


def build_indexes(connection, statements):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for statement in statements:
            cursor.execute(statement)
