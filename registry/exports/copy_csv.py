"""CSV bulk exports written by PostgreSQL: ``COPY (SELECT <one text cell per column>) TO
STDOUT (FORMAT csv)``.

Reading a million rows into Python, rendering each and writing it with ``csv.writer`` costs
about 200 µs a row; PostgreSQL renders and quotes the same cells in a few. A resource's
:class:`~registry.api.rows.RowPlan` says how each output value is read from a column; here
each becomes a SQL expression for the text of its cell, exactly as
:func:`registry.exports.writers.cell` writes the representation:

- text as stored (an empty string and NULL are both an empty, unquoted cell: ``NULLIF``);
- integers and decimals as PostgreSQL prints them (a decimal column's scale is the
  serializer's ``decimal_places``), booleans as ``true``/``false``;
- dates as ISO dates, datetimes as DRF's ISO 8601 in the request's time zone
  (microseconds only when there are any, ``Z`` for UTC);
- a list of strings as JSON (``to_jsonb``), a model property from the model's
  ``property_expressions``;
- then the serializer's ``finish_expressions`` (the SQL form of its
  ``finish_representation``: redaction, withheld content).

A resource, or a reader, for which any of this has no SQL form gets ``None`` and is exported
through Python as before. PostgreSQL quotes cells as ``csv.writer`` does (only those with a
comma, a quote or a line break); it ends lines with ``\\n``, which is replaced by ``\\r\\n``
row by row (COPY sends one message per row). ``tests/test_rows.py`` checks that both paths
give the same bytes for every planned resource and every reader of the demo data.
"""

import datetime

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, F, Func, Q, TextField, Value
from django.db.models.functions import Cast, NullIf
from django.utils import timezone
from rest_framework import fields as drf_fields
from rest_framework.settings import api_settings

from registry.api.rows import DATETIME, TEXT_COLUMNS, model_column, plan_for

TEXT = TextField()
NULL_CELL = Value(None, output_field=TEXT)


class Boolean(Func):
    template = "CASE %(expressions)s WHEN true THEN 'true' WHEN false THEN 'false' END"
    output_field = TEXT


class IsoDate(Func):
    template = "to_char(%(expressions)s, 'YYYY-MM-DD')"
    output_field = TEXT


class IsoDateTime(Func):
    """DRF's ISO 8601 of a timestamptz in the session's time zone: ``.000000`` dropped,
    ``+00:00`` written ``Z`` (the format has one place for each)."""

    template = (
        "replace(replace(to_char(%(expressions)s, 'YYYY-MM-DD\"T\"HH24:MI:SS.USTZH:TZM'),"
        " '.000000', ''), '+00:00', 'Z')"
    )
    output_field = TEXT


class JsonText(Func):
    template = "to_jsonb(%(expressions)s)::text"
    output_field = TEXT


def text(expression):
    """A text cell: an empty string is written as NULL is (an empty, unquoted cell)."""
    return NullIf(expression, Value(""), output_field=TEXT)


def boolean(condition):
    """A condition (a ``Q`` or a boolean expression) as a ``true``/``false`` cell."""
    if isinstance(condition, Q):
        condition = ExpressionWrapper(condition, output_field=BooleanField())
    return Boolean(condition)


def _is_text(column):
    return column is not None and column.get_internal_type() in TEXT_COLUMNS


def _cell(model, field, reader, properties, today):
    """The SQL expression of one output value's cell, or None when it has none
    (``properties``: the plan's properties selected in their SQL form)."""
    name, lookup, convert, getter = reader
    if lookup in properties:
        return boolean(properties[lookup](today))
    if getter is not None:  # a property without an SQL form (see rows._reader)
        return None
    column = model_column(model, lookup)
    value = F(lookup)
    if convert is None:
        if isinstance(field, drf_fields.BooleanField):
            return boolean(value)
        return text(value) if _is_text(column) else Cast(value, TEXT)
    if convert is DATETIME:
        return IsoDateTime(value)
    if convert is datetime.date.isoformat:
        return IsoDate(value)
    if (
        type(field) is drf_fields.DecimalField
        and getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
        and not (field.localize or field.normalize_output)
        and column is not None
        and field.decimal_places == getattr(column, "decimal_places", None)
    ):
        return Cast(value, TEXT)
    if (
        type(field) is drf_fields.ListField
        and type(field.child) in (drf_fields.CharField, drf_fields.ChoiceField)
        and isinstance(column, ArrayField)
        and _is_text(column.base_field)
    ):
        return JsonText(value)
    return None


def cells(serializer, columns):
    """``{column: expression}`` of the CSV cells of ``serializer``'s reader, or None."""
    plan = plan_for(type(serializer))
    if plan is None:
        return None
    model = serializer.Meta.model
    today = timezone.localdate()
    expressions = {}
    for reader in plan.readers:
        field = serializer.fields[reader[0]]
        expression = _cell(model, field, reader, plan.properties, today)
        if expression is None:
            return None
        expressions[reader[0]] = expression
    expressions = serializer.finish_expressions(expressions)
    if expressions is None:
        return None
    return {name: expressions.get(name, NULL_CELL) for name in columns}


def copy_statement(serializer, queryset, columns):
    """``COPY (…) TO STDOUT`` writing the CSV rows (no header) of ``queryset``, or None."""
    expressions = cells(serializer, columns)
    if expressions is None:
        return None
    aliases = {f"csv_{n}": expression for n, expression in enumerate(expressions.values())}
    select = queryset.prefetch_related(None).annotate(**aliases).values_list(*aliases)
    sql, params = select.query.sql_with_params()
    with connection.cursor() as cursor:
        return cursor.cursor.mogrify(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params)


def copy_lines(statement):
    """The CSV lines (bytes, ending ``\\r\\n``) that ``statement`` writes, in the request's
    time zone, without JIT compilation (it delays the first row by 200–400 ms and does not
    make the rest faster); the session's settings are put back afterwards. Run inside a
    transaction."""
    settings = {"TimeZone": timezone.get_current_timezone_name(), "jit": "off"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join("current_setting(%s)" for _ in settings), list(settings)
        )
        previous = dict(zip(settings, cursor.fetchone(), strict=True))
        _configure(cursor, settings)
        with cursor.cursor.copy(statement) as copy:
            for line in copy:
                yield bytes(line[:-1]) + b"\r\n"
        # (A download cut short rolls its transaction back, and the settings with it.)
        _configure(cursor, previous)


def _configure(cursor, settings):
    """Sets ``settings`` for the rest of the transaction."""
    cursor.execute(
        "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in settings),
        [value for pair in settings.items() for value in pair],
    )
