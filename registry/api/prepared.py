"""Prepared list queries: the restricted, filtered row queryset of a list request, built once
per request shape and reused.

Building a list's queryset — the permission path's conditions, the filterset's validation
and filters, the row selection — costs more Python than running it. Portals ask the same
lists over and over, page after page, so the queryset is kept (never evaluated itself: each
page is a statement compiled from it, see below) under a key of everything the queryset
depends on:

- the resource and action;
- the reader's scope: anonymous, or the user with the global permissions that decide the
  permission path's branches and the departments of its roles when they were read with its
  token (the permission path then writes them into the query; otherwise they are a
  subquery evaluated when the query runs);
- every query parameter but ``cursor`` and ``page_size``, with its values;
- the date in Asia/Shanghai (public lists end display periods and compute deadlines by
  date).

A request whose parameters are invalid raises before anything is kept. The cache is a small
LRU per process.

Compiling the page's SQL from the queryset costs about as much again, so a prepared list
also keeps its page statements (:class:`PreparedRows`): the keyset pagination's ordering,
cursor condition and slice are applied as usual, but the SQL of each shape is compiled once
with a placeholder for the cursor's position, and later pages only bind the position.
"""

import collections
import threading

from django.db import connections
from django.db.models import Expression
from django.utils import timezone

from registry.permissions import known_scope
from registry.querying import load_times_natively, prepared_cursor, text_with_parameters

PAGING_PARAMETERS = frozenset({"cursor", "page_size"})
SIZE = 256


class PreparedQueries:
    def __init__(self, size=SIZE):
        self.size = size
        self._entries = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, build):
        with self._lock:
            rows = self._entries.get(key)
            if rows is not None:
                self._entries.move_to_end(key)
                return rows
        rows = PreparedRows(build())
        with self._lock:
            self._entries[key] = rows
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return rows

    def clear(self):
        with self._lock:
            self._entries.clear()

    def __len__(self):
        return len(self._entries)


QUERIES = PreparedQueries()


def scope_key(user):
    """What of the reader the permission path's Python branches depend on."""
    if not user.is_authenticated:
        return ("anonymous",)
    return (
        user.pk,
        user.is_active,
        user.is_superuser,
        frozenset(user.get_all_permissions()),
        known_scope(user),
    )


def request_key(viewset):
    request = viewset.request
    parameters = tuple(
        sorted(
            (name, tuple(values))
            for name, values in request.query_params.lists()
            if name not in PAGING_PARAMETERS
        )
    )
    return (
        type(viewset),
        viewset.action,
        scope_key(request.user),
        parameters,
        timezone.localdate(),
    )


POSITION = object()  # the cursor's position in a compiled statement's parameters
STATEMENTS_PER_LIST = 32  # page shapes kept per prepared list (orderings, sizes, offsets)


class _Position(Expression):
    """The cursor's position, bound when the page is read."""

    def as_sql(self, compiler, connection):
        return "%s", [POSITION]


class _Statement:
    """The compiled SQL of one page shape, its column names and converters."""

    def __init__(self, queryset):
        # Not elided when a condition can match nothing (e.g. a filter value beyond its
        # column's range): Django then writes ``WHERE 0 = 1`` instead of raising.
        compiler = queryset.query.get_compiler(using=queryset.db, elide_empty=False)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.positions = [i for i, param in enumerate(self.params) if param is POSITION]
        self.converters = compiler.get_converters([col for col, *_ in compiler.select])
        self.query, self.using = queryset.query, queryset.db
        query = queryset.query
        self.names = [*query.extra_select, *query.values_select, *query.annotation_select]
        self.text = None

    def rows(self, position):
        connection = connections[self.using]
        with prepared_cursor(self.using, always=False) as cursor:
            load_times_natively(cursor)
            if connection.queries_logged:  # Django's cursor: the log shows the values
                params = list(self.params)
                for index in self.positions:
                    params[index] = position
                cursor.execute(self.sql, params)
            else:
                cursor.execute(self._text(), [position] * len(self.positions))
            rows = cursor.fetchall()
        if self.converters:
            # (A compiler of this thread's connection: a statement serves every thread.)
            compiler = self.query.get_compiler(using=self.using)
            rows = compiler.apply_converters(rows, self.converters)
        names = self.names
        return [dict(zip(names, row, strict=True)) for row in rows]

    def _text(self):
        """The statement with every value but the cursor's position written in: one text
        for every page of a list, prepared once it recurs (``prepared_cursor``)."""
        if self.text is None:
            self.text = text_with_parameters(self.sql, self.params, self.positions, self.using)
        return self.text


class PreparedRows:
    """A prepared list's rows, paged the way ``CursorPagination.paginate_queryset`` pages a
    queryset (``order_by``, then ``filter`` on the first ordering field, then a slice), with
    the SQL of each shape compiled once."""

    def __init__(self, queryset, statements=None, shape=(), position=None):
        self.queryset = queryset
        self.statements = {} if statements is None else statements
        self.shape = shape
        self.position = position

    def _with(self, queryset, part, position=None):
        position = self.position if position is None else position
        return PreparedRows(queryset, self.statements, (*self.shape, part), position)

    def order_by(self, *ordering):
        return self._with(self.queryset.order_by(*ordering), ("order_by", ordering))

    def filter(self, **condition):
        [(lookup, value)] = condition.items()
        field = self.queryset.model._meta.get_field(lookup.rsplit("__", 1)[0])
        position = field.get_db_prep_value(value, connections[self.queryset.db], prepared=False)
        compiled = self.queryset.filter(**{lookup: _Position(output_field=field)})
        return self._with(compiled, ("filter", lookup), position)

    def __getitem__(self, window):
        return self._with(self.queryset[window], ("slice", window.start, window.stop))

    def __iter__(self):
        statement = self.statements.get(self.shape)
        if statement is None:
            statement = _Statement(self.queryset)
            if len(self.statements) < STATEMENTS_PER_LIST:
                self.statements[self.shape] = statement
        return iter(statement.rows(self.position))


def listed_rows(viewset, plan):
    """The restricted, filtered rows of a list request (unordered, unpaged)."""
    return QUERIES.get(
        request_key(viewset),
        lambda: plan.values(viewset.filter_queryset(viewset.get_queryset())),
    )
