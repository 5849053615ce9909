"""Aggregate statistics over a list resource, computed in the database.

A registry declares, per resource, the *dimensions* a reader may group by and the *measures*
that may be aggregated, and gets a root field such as::

    enforcementActionStatistics(groupBy: [EnforcementActionDimension!], <the list's filters>)
        : [EnforcementActionStatisticsGroup!]!

Every statistic starts from :func:`registry.graphql.filtering.filtered` — the rows the reader
may view through the one permission path, narrowed by the list's own filters — so the
anonymous public aggregates exactly what the anonymous list shows, and a department what its
token shows. Each field costs one SQL query (``GROUP BY`` the chosen dimensions), plus one
query loading the departments when grouped by department. Only the measures (and their
aggregates) the query selects are computed, so unrequested joins are never made.

Groups come ordered by their keys in the order ``groupBy`` lists them, nulls last (a
department by its id; ``MONTH`` without ``YEAR`` is the month of the year across years). A
blank choice or text counts as null, so a group key of null means "not set" when the field
is grouped on, and "not grouped" otherwise. More than ``MAX_GROUPS`` groups (or
``GRAPHQL_LIMITS["statistics_max_groups"]``) is an error naming ``groupBy``.

Dimensions and measures are read from fields the resource's GraphQL node type exposes (checked
when the field is declared): nothing private (party identity numbers, contact details,
internal notes …) can become a group key or an aggregate.

This module is generic: the registries declare their statistics in their own
``graphql_statistics`` modules.
"""

import decimal
from zoneinfo import ZoneInfo

import graphene
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Avg, Count, ExpressionWrapper, F, Func, Max, Min, Sum, Value
from django.db.models.functions import ExtractMonth, ExtractYear, NullIf, Round, TruncDate
from django.utils.translation import gettext as _
from graphene.utils.str_converters import to_camel_case
from graphene_django.registry import get_global_registry
from graphql import get_named_type
from graphql.execution.collect_fields import collect_sub_fields

from registry.graphql.batching import Batch
from registry.graphql.filtering import bad_argument, filter_arguments, filtered

LOCAL_TIME_ZONE = ZoneInfo("Asia/Shanghai")
# At most this many groups per statistics field (settings.GRAPHQL_LIMITS may lower or raise it).
MAX_GROUPS = 10_000


def max_groups():
    return getattr(settings, "GRAPHQL_LIMITS", {}).get("statistics_max_groups", MAX_GROUPS)


# --- aggregate types shared by every resource -------------------------------------------------


class DecimalAggregate(graphene.ObjectType):
    """Aggregates of a decimal measure (amounts in 元, ratios and rates in %), as decimal
    strings. ``avg`` is rounded to the measure's own decimal places (2 for money)."""

    sum = graphene.String(description="合计 (sum); null when no row has a value")
    min = graphene.String(description="最小值 (minimum)")
    max = graphene.String(description="最大值 (maximum)")
    avg = graphene.String(description="平均值 (mean), rounded to the measure's decimal places")
    count = graphene.Int(required=True, description="有值的记录数 (rows with a non-null value)")


class IntegerAggregate(graphene.ObjectType):
    """Aggregates of a whole-number measure (durations in days, working days, years)."""

    sum = graphene.Int(description="合计 (sum); null when no row has a value")
    min = graphene.Int(description="最小值 (minimum)")
    max = graphene.Int(description="最大值 (maximum)")
    avg = graphene.Float(description="平均值 (mean), rounded to 1 decimal")
    count = graphene.Int(required=True, description="有值的记录数 (rows with a non-null value)")


AGGREGATES = {"sum": Sum, "min": Min, "max": Max, "avg": Avg, "count": Count}


# --- helpers over model field paths -----------------------------------------------------------


def resolve_path(model, path):
    """``[(model, field), …]`` along a ``__``-separated field path."""
    steps = []
    for name in path.split("__"):
        field = model._meta.get_field(name)
        steps.append((model, field))
        model = field.related_model
    return steps


def check_exposed(model, path):
    """Refuse a path that goes through a field the GraphQL node type of its model does not
    expose: what the graph does not show may not be grouped on or aggregated either."""
    registry = get_global_registry()
    for step_model, field in resolve_path(model, path):
        node_type = registry.get_type_for_model(step_model)
        if node_type is None or field.name not in node_type._meta.fields:
            raise ImproperlyConfigured(
                f"Statistics over {model.__name__}.{path}: "
                f"{step_model.__name__}.{field.name} is not exposed in GraphQL."
            )


def _last_field(model, path):
    return resolve_path(model, path)[-1][1]


class DaysBetween(Func):
    """``end - start`` in whole days, both date expressions (PostgreSQL: date - date is an
    integer)."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = models.IntegerField()


def local_date(path):
    """A date, or a datetime's Asia/Shanghai calendar date (datetimes are stored in UTC)."""
    return _LocalDate(path)


class _LocalDate:
    def __init__(self, path):
        self.path = path

    def expression(self, model):
        if isinstance(_last_field(model, self.path), models.DateTimeField):
            return TruncDate(self.path, tzinfo=LOCAL_TIME_ZONE)
        return F(self.path)


def _as_local_date(value):
    return value if isinstance(value, _LocalDate) else _LocalDate(value)


# --- dimensions -------------------------------------------------------------------------------


class Dimension:
    """Something to group by: ``expression(model)`` is the SQL group key; ``graphql_type()``
    the type of the group's field; ``sources`` the field paths it reads."""

    is_department = False

    def __init__(self, sources, description=""):
        self.sources = tuple(sources)
        self.description = description

    def expression(self, model):
        raise NotImplementedError

    def graphql_type(self, model):
        raise NotImplementedError

    def value(self, raw):
        return raw


class _Department(Dimension):
    is_department = True

    def __init__(self, path, description):
        super().__init__([path], description or "部门 (owning department)")
        self.path = path

    def expression(self, model):
        return F(self.path)

    def graphql_type(self, model):
        from registry.models import Department

        return lambda: get_global_registry().get_type_for_model(Department)


class _DatePart(Dimension):
    function = None

    def __init__(self, path, description):
        super().__init__([path], description)
        self.path = path

    def expression(self, model):
        if isinstance(_last_field(model, self.path), models.DateTimeField):
            return self.function(self.path, tzinfo=LOCAL_TIME_ZONE)
        return self.function(self.path)

    def graphql_type(self, model):
        return graphene.Int


class _Year(_DatePart):
    function = ExtractYear


class _Month(_DatePart):
    function = ExtractMonth


class _Value(Dimension):
    """The value of a model field; an empty string (a blank choice or text) counts as null."""

    def __init__(self, path, description):
        super().__init__([path], description)
        self.path = path

    def expression(self, model):
        field = _last_field(model, self.path)
        if isinstance(field, models.CharField | models.TextField) and field.blank:
            return NullIf(F(self.path), Value(""), output_field=models.TextField())
        return F(self.path)

    def graphql_type(self, model):
        field = _last_field(model, self.path)
        if not self.description:
            self.description = str(field.verbose_name)
        return lambda: _converted_type(field)


def _converted_type(field):
    """The GraphQL type the node type gives ``field`` (so a choice field's group key is the
    same enum as on the records), without non-null wrappers; ``String`` if unknown."""
    converted = get_global_registry().get_converted_field(field)
    graphql_type = None
    if isinstance(converted, graphene.Field):
        graphql_type = converted.type
    elif converted is not None:
        graphql_type = converted.get_type()
    while isinstance(graphql_type, graphene.NonNull):
        graphql_type = graphql_type.of_type
    if graphql_type is None or isinstance(graphql_type, graphene.List):
        return graphene.String
    return graphql_type


class _Flag(Dimension):
    def __init__(self, condition, sources, description):
        super().__init__(sources, description)
        self.condition = condition

    def expression(self, model):
        return ExpressionWrapper(self.condition, output_field=models.BooleanField())

    def graphql_type(self, model):
        return graphene.Boolean


def department(path="department", description=""):
    """Group by owning department (a foreign-key path to ``Department``); the group shows the
    ``Department`` node. All groups' departments are loaded in one query."""
    return _Department(path, description)


def year(path, description=""):
    """The calendar year of a date, or of a datetime in Asia/Shanghai."""
    return _Year(path, description or "年 (year, Asia/Shanghai)")


def month(path, description=""):
    """The month (1–12) of a date, or of a datetime in Asia/Shanghai."""
    return _Month(path, description or "月 (month 1–12, Asia/Shanghai)")


def value(path, description=""):
    """The value of a field (a choice, a boolean, a number or free text)."""
    return _Value(path, description)


def flag(condition, sources, description=""):
    """A boolean computed from a ``Q`` over the fields ``sources``."""
    return _Flag(condition, sources, description)


# --- measures ---------------------------------------------------------------------------------


class Measure:
    """Something to aggregate: ``expression(model)`` is a numeric SQL expression."""

    aggregate_type = IntegerAggregate

    def __init__(self, sources, description=""):
        self.sources = tuple(sources)
        self.description = description

    def expression(self, model):
        raise NotImplementedError

    def prepare(self, model):
        """Called once the model is known (e.g. to read the decimal places)."""

    def avg(self, expression):
        return Round(Avg(expression), 1)

    def convert(self, aggregate, raw):
        if raw is None or aggregate == "count":
            return raw
        return float(raw) if aggregate == "avg" else int(raw)


class _Amount(Measure):
    aggregate_type = DecimalAggregate

    def __init__(self, path, description):
        super().__init__([path], description)
        self.path = path
        self.places = 2

    def prepare(self, model):
        field = _last_field(model, self.path)
        if not isinstance(field, models.DecimalField):
            raise ImproperlyConfigured(f"{model.__name__}.{self.path} is not a DecimalField.")
        self.places = field.decimal_places
        if not self.description:
            self.description = str(field.verbose_name)

    def expression(self, model):
        return F(self.path)

    def avg(self, expression):
        return Round(Avg(expression), self.places)

    def convert(self, aggregate, raw):
        if raw is None or aggregate == "count":
            return raw
        with decimal.localcontext(prec=60):
            exact = decimal.Decimal(raw).quantize(decimal.Decimal(1).scaleb(-self.places))
        return format(exact, "f")


class _Number(Measure):
    def __init__(self, path, description):
        super().__init__([path], description)
        self.path = path

    def prepare(self, model):
        field = _last_field(model, self.path)
        if not isinstance(field, models.IntegerField):
            raise ImproperlyConfigured(f"{model.__name__}.{self.path} is not an IntegerField.")
        if not self.description:
            self.description = str(field.verbose_name)

    def expression(self, model):
        return F(self.path)


class _Days(Measure):
    def __init__(self, end, start, description):
        self.end, self.start = _as_local_date(end), _as_local_date(start)
        super().__init__([self.end.path, self.start.path], description)

    def prepare(self, model):
        for path in (self.end.path, self.start.path):
            if not isinstance(_last_field(model, path), models.DateField):
                raise ImproperlyConfigured(f"{model.__name__}.{path} is not a date.")

    def expression(self, model):
        return DaysBetween(self.end.expression(model), self.start.expression(model))


def amount(path, description=""):
    """A decimal field (an amount in 元, a ratio or rate in %); aggregates are decimal
    strings."""
    return _Amount(path, description)


def number(path, description=""):
    """A whole-number field."""
    return _Number(path, description)


def days_between(end, start, description=""):
    """Whole calendar days from ``start`` to ``end`` (field paths of dates, or
    :func:`local_date` of datetimes); null when either is null."""
    return _Days(end, start, description)


# --- reading the selection set ----------------------------------------------------------------


def selected_fields(info, parent_type, field_nodes):
    """``{field name: [FieldNode, …]}`` selected under ``field_nodes`` (of ``parent_type``),
    collected as graphql-core executes them: fragments, type conditions, ``@skip`` and
    ``@include``."""
    found = {}
    collected = collect_sub_fields(
        info.schema, info.fragments, info.variable_values, parent_type, field_nodes
    )
    for nodes in collected.values():
        found.setdefault(nodes[0].name.value, []).extend(nodes)
    return found


# --- the field --------------------------------------------------------------------------------


class Statistics:
    """The declaration of one statistics field; :attr:`field` is the graphene field."""

    def __init__(self, name, model, node_type, filterset_class, dimensions, measures, description):
        self.name = name
        self.model = model
        self.node_type = node_type
        self.filterset_class = filterset_class
        self.dimensions = dict(dimensions)
        self.measures = dict(measures)
        for item in (*self.dimensions.values(), *self.measures.values()):
            for path in item.sources:
                check_exposed(model, path)
        for measure in self.measures.values():
            measure.prepare(model)
        self.dimension_enum = graphene.Enum(
            f"{name}Dimension",
            [(dimension.upper(), dimension) for dimension in self.dimensions],
            description=f"{name} 统计的分组维度 (dimensions {name} statistics can group by)",
        )
        self.group_type = self._group_type()
        arguments = {
            "group_by": graphene.List(
                graphene.NonNull(self.dimension_enum),
                description="按哪些维度分组；省略时返回一组合计 (group keys; omitted: one "
                f"group with the totals). At most {max_groups()} groups.",
            ),
            **filter_arguments(filterset_class, node_type),
        }
        self.field = graphene.Field(
            graphene.NonNull(graphene.List(graphene.NonNull(self.group_type))),
            args=arguments,
            resolver=self.resolve,
            description=description,
        )
        self.field.statistics = self

    def _group_type(self):
        attributes = {
            "__doc__": f"One group of {self.name} statistics: a field per dimension (null when "
            "not grouped by it), the number of records, and the aggregates of each measure.",
        }
        for name, dimension in self.dimensions.items():
            graphql_type = dimension.graphql_type(self.model)
            attributes[name] = graphene.Field(graphql_type, description=dimension.description)
        attributes["count"] = graphene.Int(required=True, description="记录数 (number of records)")
        for name, measure in self.measures.items():
            attributes[name] = graphene.Field(
                graphene.NonNull(measure.aggregate_type), description=measure.description
            )
        return type(f"{self.name}StatisticsGroup", (graphene.ObjectType,), attributes)

    # resolving

    def _selection(self, info):
        """The measures (and their aggregates) and whether the departments are selected."""
        group_type = get_named_type(info.return_type)
        selected = selected_fields(info, group_type, info.field_nodes)
        measures = {}
        for name in self.measures:
            nodes = selected.get(to_camel_case(name))
            if nodes:
                aggregate_type = get_named_type(group_type.fields[to_camel_case(name)].type)
                wanted = selected_fields(info, aggregate_type, nodes)
                measures[name] = [aggregate for aggregate in AGGREGATES if aggregate in wanted]
        departments = {
            name
            for name, dimension in self.dimensions.items()
            if dimension.is_department and to_camel_case(name) in selected
        }
        return measures, departments

    def _group_by(self, kwargs):
        group_by = []
        for item in kwargs.get("group_by") or ():
            name = getattr(item, "value", item)
            if name not in group_by:
                group_by.append(name)
        return group_by

    def resolve(self, root, info, **kwargs):
        group_by = self._group_by(kwargs)
        queryset = filtered(self.model, self.filterset_class, kwargs, info)
        if queryset.query.distinct:
            queryset = self.model._default_manager.filter(pk__in=queryset.values("pk"))
        measures, departments = self._selection(info)
        aggregates = {"_count": Count("pk")}
        for name, wanted in measures.items():
            measure = self.measures[name]
            expression = measure.expression(self.model)
            for aggregate in wanted:
                function = measure.avg if aggregate == "avg" else AGGREGATES[aggregate]
                aggregates[f"_m_{name}_{aggregate}"] = function(expression)
        if group_by:
            keys = {f"_d_{name}": self.dimensions[name].expression(self.model) for name in group_by}
            limit = max_groups()
            rows = list(
                queryset.order_by()
                .annotate(**keys)
                .values(*keys)
                .annotate(**aggregates)
                .order_by(*(F(key).asc(nulls_last=True) for key in keys))[: limit + 1]
            )
            if len(rows) > limit:
                raise bad_argument(
                    "group_by",
                    [
                        _("分组数超过上限 %(limit)d，请减少分组维度或增加筛选条件。")
                        % {"limit": limit}
                    ],
                )
        else:
            rows = [queryset.order_by().aggregate(**aggregates)]
        return self._groups(rows, group_by, measures, departments, info)

    def _groups(self, rows, group_by, measures, departments, info):
        loaded = self._load_departments(rows, group_by, departments, info)
        groups = []
        for row in rows:
            group = {name: None for name in self.dimensions}
            for name in group_by:
                raw = row[f"_d_{name}"]
                dimension = self.dimensions[name]
                if dimension.is_department:
                    group[name] = loaded.get(name, {}).get(raw)
                else:
                    group[name] = dimension.value(raw)
            group["count"] = row["_count"]
            for name, wanted in measures.items():
                measure = self.measures[name]
                group[name] = {
                    aggregate: measure.convert(aggregate, row[f"_m_{name}_{aggregate}"])
                    for aggregate in wanted
                }
            groups.append(group)
        return groups

    def _load_departments(self, rows, group_by, departments, info):
        """The departments of every group, in one query through the permission path, as one
        batch (so relations selected under them are batched too)."""
        from registry.models import Department

        names = [name for name in group_by if name in departments]
        ids = {row[f"_d_{name}"] for row in rows for name in names} - {None}
        if not ids:
            return {}
        by_id = {d.pk: d for d in Batch(filtered(Department, None, {}, info).filter(pk__in=ids))}
        return {name: by_id for name in names}


def statistics_field(
    name, model, node_type, filterset_class, dimensions, measures=None, description=""
):
    """A root field ``<name>Statistics`` over ``model``'s rows the reader may view, narrowed
    by ``filterset_class`` (the list's filters). Returns the graphene field; its
    ``statistics`` attribute is the :class:`Statistics` declaration (with the enum of
    dimensions and the group type it created)."""
    return Statistics(
        name, model, node_type, filterset_class, dimensions, measures or {}, description
    ).field
