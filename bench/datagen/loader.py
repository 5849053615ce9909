"""Loading generated rows with PostgreSQL ``COPY … FROM STDIN`` (psycopg 3), and the
bookkeeping that bypassing the workflow leaves to us: primary keys (then ``setval``), index
numbers (then :class:`~registry.models.IndexNumberSequence`), and the public events from which
:mod:`bench.datagen.chain` writes the audit log.

Rows are formatted in COPY's text format by the generating thread and written by a writer
thread, one COPY per batch, so that PostgreSQL loads a batch on the other core while Python
generates the next one. The generating thread must not use the connection until
:meth:`Loader.drain` has returned.
"""

import datetime
import enum
import json
import queue
import threading
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

BATCH_ROWS = 5000
EVENTS_TABLE = "bench_events"
EVENT_COLUMNS = ("n", "t", "ct", "oid", "dept", "action", "repr", "reason")


REQUIRED = object()  # the default of a column that every row must give


@dataclass(frozen=True)
class Dept:
    """What the generators need of a department."""

    id: int
    code: str
    prefix: str  # of its index numbers: the credit code, else the code
    name: str


# ----------------------------------------------------------------- COPY text format

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value):
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


def _array(values):
    items = (
        "NULL" if v is None else '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'
        for v in values
    )
    return _text("{" + ",".join(items) + "}")


def _json(value):
    if value is None:
        return "\\N"
    return _text(json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder))


def _format(value):
    return FORMATS[type(value)](value)


FORMATS = {
    str: _text,
    int: str,
    Decimal: str,
    bool: lambda value: "t" if value else "f",
    type(None): lambda value: "\\N",
    datetime.date: datetime.date.isoformat,
    datetime.datetime: datetime.datetime.isoformat,
    list: _array,
    dict: _json,
}


class Table:
    """Rows of one table in COPY text format, written in batches."""

    def __init__(self, name, columns, defaults, formatters=None):
        self.name = name
        self.columns = columns  # (attname, column) pairs
        self.lines = []
        statement = ", ".join(f'"{column}"' for _attname, column in columns)
        self.copy_sql = f'COPY "{name}" ({statement}) FROM STDIN'
        formatters = formatters or [_format] * len(columns)
        # Per column: its attname, how to format a value, and its default already formatted
        # (most rows leave many columns at their default).
        self._spec = []
        for (attname, _column), default, formatter in zip(
            columns, defaults, formatters, strict=True
        ):
            text = None if default is REQUIRED else formatter(default)
            self._spec.append((attname, formatter, text))

    @classmethod
    def of(cls, model):
        fields = model._meta.concrete_fields
        return cls(
            model._meta.db_table,
            [(field.attname, field.column) for field in fields],
            [_default(field) for field in fields],
            [_formatter(field) for field in fields],
        )

    def add(self, row):
        """Append one row given as ``{attname: value}`` (missing columns: their default)."""
        values = [
            formatter(row[attname]) if attname in row else default
            for attname, formatter, default in self._spec
        ]
        if None in values:
            missing = [a for (a, _f, d), v in zip(self._spec, values, strict=True) if v is None]
            raise KeyError(f"{self.name}: no value for {missing}")
        self.lines.append("\t".join(values))

    def add_values(self, values):
        """Append one row given as values in column order."""
        self.lines.append("\t".join([FORMATS[type(value)](value) for value in values]))

    def take(self):
        data = ("\n".join(self.lines) + "\n").encode()
        count, self.lines = len(self.lines), []
        return data, count


def _formatter(field):
    """The formatter of a column's values: by the field's type where no other type can
    come (saves a lookup per value), else by each value's type."""
    if isinstance(field, models.JSONField):
        return _json
    if field.null:
        return _format
    if isinstance(field, models.CharField | models.TextField):
        return _text
    if isinstance(field, models.BooleanField):
        return FORMATS[bool]
    if isinstance(field, models.DateTimeField):
        return datetime.datetime.isoformat
    if isinstance(field, models.DateField):
        return datetime.date.isoformat
    if isinstance(field, models.IntegerField | models.AutoField | models.ForeignKey):
        return str
    return _format


def _default(field):
    if field.has_default():
        value = field.get_default()
        return value.value if isinstance(value, enum.Enum) else value
    if field.null:
        return None
    if field.blank and isinstance(field, models.CharField | models.TextField):
        return ""
    return REQUIRED


class Writer(threading.Thread):
    """Runs the queued COPY batches on the connection, one after another."""

    def __init__(self, connection, seconds):
        super().__init__(name="bench-copy-writer", daemon=True)
        self.connection = connection
        self.batches = queue.Queue(maxsize=4)
        self.seconds = seconds
        self.error = None

    def run(self):
        while (batch := self.batches.get()) is not None:
            if self.error is not None:
                continue
            sql, name, data = batch
            started = time.perf_counter()
            try:
                with self.connection.cursor() as cursor, cursor.copy(sql) as copy:
                    copy.write(data)
            except BaseException as exc:  # noqa: BLE001 - re-raised by the generating thread
                self.error = exc
            self.seconds[name] += time.perf_counter() - started


class Loader:
    """Buffered COPY into many tables, with the counters the bypassed workflow would have
    kept."""

    def __init__(self, connection, batch_rows=BATCH_ROWS):
        self.connection = connection
        self.batch_rows = batch_rows
        self.tables = {}
        self.counts = Counter()
        self.seconds = Counter()  # time the writer spent in COPY, per table
        self.ids = {}
        self.first_ids = {}
        self._writer = None
        self._touched_index = set()
        self._events = Table(EVENTS_TABLE, [(c, c) for c in EVENT_COLUMNS], [None] * 8)
        self._event_number = 0
        self.event_counts = Counter()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {EVENTS_TABLE}")
            cursor.execute(
                f"CREATE TEMP TABLE {EVENTS_TABLE} (n bigint, t timestamptz, ct int, "
                "oid bigint, dept int, action text, repr text, reason text)"
            )
            cursor.execute(
                "SELECT department_id, year, last_value FROM registry_indexnumbersequence"
            )
            self.index_values = {(d, y): v for d, y, v in cursor.fetchall()}

    def prepare(self, *models_):
        """Read the last ids of these tables (before the writer starts)."""
        for model in models_:
            table = model._meta.db_table
            if table not in self.ids:
                with self.connection.cursor() as cursor:
                    cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
                    self.ids[table] = cursor.fetchone()[0]
                    self.first_ids[table] = self.ids[table] + 1
            if model not in self.tables:
                self.tables[model] = Table.of(model)

    # ----------------------------------------------------------------- rows

    def next_id(self, model):
        table = model._meta.db_table
        self.ids[table] += 1
        return self.ids[table]

    def add(self, model, row):
        table = self.tables[model]
        table.add(row)
        if len(table.lines) >= self.batch_rows:
            self.send(table)

    def send(self, table):
        """Queue the table's buffered rows for the writer."""
        if not table.lines:
            return
        if self._writer is None:
            self._writer = Writer(self.connection, self.seconds)
            self._writer.start()
        if self._writer.error is not None:
            raise self._writer.error
        data, count = table.take()
        self._writer.batches.put((table.copy_sql, table.name, data))
        if table is not self._events and table.name != "registry_auditentry":
            self.counts[table.name] += count

    def drain(self):
        """Send what is buffered and wait until it is loaded; the connection is free again."""
        for table in self.tables.values():
            self.send(table)
        self.send(self._events)
        if self._writer is not None:
            self._writer.batches.put(None)
            self._writer.join()
            error, self._writer = self._writer.error, None
            if error is not None:
                raise error

    def set_sequences(self):
        """``setval`` each loaded table's id sequence past the ids handed out."""
        with self.connection.cursor() as cursor:
            for table, last in self.ids.items():
                if last:
                    cursor.execute(
                        "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, last]
                    )

    # ----------------------------------------------------------------- index numbers

    def index_number(self, dept, year):
        """The next 索引号 of ``dept`` for ``year``, as ``workflow.next_index_number`` would
        hand it out."""
        key = (dept.id, year)
        value = self.index_values.get(key, 0) + 1
        self.index_values[key] = value
        self._touched_index.add(key)
        return f"{dept.prefix}/{year}-{value:05d}"

    def save_index_numbers(self):
        rows = [(d, y, self.index_values[(d, y)]) for d, y in sorted(self._touched_index)]
        with self.connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO registry_indexnumbersequence (department_id, year, last_value) "
                "VALUES (%s, %s, %s) ON CONFLICT (department_id, year) DO UPDATE SET "
                "last_value = GREATEST(registry_indexnumbersequence.last_value, "
                "EXCLUDED.last_value)",
                rows,
            )
        return len(rows)

    # ----------------------------------------------------------------- events

    def event(self, when, content_type_id, object_id, department_id, action, text, reason=""):
        """A public lifecycle event, to be chained into the audit log in time order.
        ``text`` is ``str(obj)``; the log keeps its first 300 characters."""
        self._event_number += 1
        self._events.add_values(
            (self._event_number, when, content_type_id, object_id, department_id, action)
            + (text[:300], reason)
        )
        self.event_counts[action] += 1
        if len(self._events.lines) >= self.batch_rows * 4:
            self.send(self._events)
