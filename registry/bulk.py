"""Writing many new rows at once with PostgreSQL's ``COPY``.

``bulk_create`` sends one INSERT whose values psycopg quotes on the client, which costs more
than everything else an import does; ``COPY`` streams the rows in PostgreSQL's own format.
The primary keys are taken from the table's sequence first, so the objects come back with
their ids as from ``bulk_create``. Like ``bulk_create``, no ``save()`` and no signals."""

import operator

from django.contrib.postgres.fields import ArrayField
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import fields as model_fields

# Fields whose attribute value goes to COPY as it is (psycopg adapts the Python type).
PLAIN_FIELDS = (
    model_fields.CharField,
    model_fields.TextField,
    model_fields.IntegerField,
    model_fields.BooleanField,
    model_fields.DecimalField,
    model_fields.DateField,  # DateTimeField too: both when neither auto_now nor auto_now_add
    ArrayField,
)


def _value_of(field, connection):
    """How one field's value is read for COPY."""
    automatic = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    if (isinstance(field, PLAIN_FIELDS) or field.many_to_one) and not automatic:
        return operator.attrgetter(field.attname)
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)


def copy_insert(objects):
    """Insert the unsaved ``objects`` (of one model) with ``COPY``; returns them, with ids."""
    if not objects:
        return objects
    connection = connections[DEFAULT_DB_ALIAS]  # not the proxy: read once per value below
    meta = type(objects[0])._meta
    fields = meta.concrete_fields
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objects)],
        )
        for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
            setattr(obj, meta.pk.attname, pk)
        columns = ", ".join(quote(field.column) for field in fields)
        readers = [_value_of(field, connection) for field in fields]
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row([read(obj) for read in readers])
    for obj in objects:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objects


def copy_rows(model, attnames, rows):
    """``COPY`` ``rows`` (sequences of database values in the order of ``attnames``) into
    ``model``'s table; the primary key comes from its default."""
    connection = connections[DEFAULT_DB_ALIAS]
    meta, quote = model._meta, connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in attnames)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
