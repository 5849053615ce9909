"""What an annual report table is, and the registration hook through which the registries
add theirs (the way :mod:`registry.record_types` learns about record types).

A table has a row heading and numeric columns; its ``compute(department, year)`` returns
the rows, each a dict with ``key`` (a stable code), ``label`` (what a reader sees) and one
value per column key. Tables count only what the public may see (published, not withheld),
so the report is the same for every reader, and aggregate in the database: a table runs a
fixed number of queries, however many records there are.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from registry.annual_report.choices import ColumnKind


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # lazy translation
    kind: str = ColumnKind.COUNT


@dataclass(frozen=True)
class Table:
    key: str  # stable identifier, e.g. "enforcement_actions"
    title: str  # lazy translation
    row_heading: str  # lazy translation: the heading of the row labels' column
    columns: tuple[Column, ...]
    compute: Callable  # (department, year) -> list of row dicts
    order: int = 100  # position in the report (ascending)


_registered: dict[str, Table] = {}


def register(table):
    """Add ``table`` to the report (idempotent for the same table)."""
    if table.key in _registered and _registered[table.key] != table:
        raise ValueError(f"annual report table {table.key!r} is already registered")
    _registered[table.key] = table


def registered():
    """The registered tables in report order."""
    return sorted(_registered.values(), key=lambda table: (table.order, table.key))


_reported: dict[type, Callable] = {}


def count_as_reported(model, q_function):
    """Registries whose records leave the public lists after a while (a display period)
    say here which of them the report still counts: ``q_function()`` is the condition on
    ``model`` for a record that was disclosed (published or withdrawn with a public
    tombstone), whatever has expired since. A report for a past year must not shrink as
    display periods run out."""
    _reported[model] = q_function


def reported_q(model):
    """The records of ``model`` the report counts: published or withdrawn records the public
    may see (or, for the registered models, may have seen)."""
    if model in _reported:
        return _reported[model]()
    return model.public_q() | model.tombstone_q()


def year_bounds(year):
    """The first moment of ``year`` and of the next one, in the registry's time zone."""
    zone = timezone.get_default_timezone() if settings.USE_TZ else None
    return (
        datetime.datetime(year, 1, 1, tzinfo=zone),
        datetime.datetime(year + 1, 1, 1, tzinfo=zone),
    )


def in_year(field, year):
    """Lookup kwargs: the datetime ``field`` falls within ``year`` (local time)."""
    start, end = year_bounds(year)
    return {f"{field}__gte": start, f"{field}__lt": end}
