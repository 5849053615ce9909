"""The read path of lists and exports: a serializer's representation computed from
``values()`` rows instead of model instances.

DRF builds a model instance per row and walks every field's ``get_attribute`` and
``to_representation`` for it, about 1 ms per row of an enforcement decision. A
:class:`RowPlan` is compiled once per serializer class: the columns to select and, per output
field, how its value is read from the row — most values (text, numbers, booleans, choices,
ids) leave the database in their final form; dates, times, decimals and lists go through the
field's own ``to_representation``. The serializer's ``finish_representation`` (redaction,
withheld content) then runs on the row through :class:`RowRecord`, the same code as for an
instance. A serializer with a field the plan cannot read from a row (nested serializers,
method fields, annotations) has no plan, and its resource keeps the instance path.

``tests/test_rows.py`` checks that every resource's plan renders exactly what its serializer
renders, for every reader of the demo data.
"""

import datetime
import functools
import operator

from django.core.exceptions import FieldDoesNotExist
from django.db.models import BooleanField, ExpressionWrapper
from django.utils import timezone
from rest_framework import fields as drf_fields
from rest_framework import relations
from rest_framework.serializers import ListSerializer, Serializer
from rest_framework.settings import ISO_8601, api_settings

DATETIME = object()  # converter marker: see iso_datetime
# Model fields whose database value is already the string a CharField represents.
TEXT_COLUMNS = ("CharField", "TextField", "SlugField", "EmailField", "URLField")
# Fields whose to_representation returns a database value of the right type unchanged.
IDENTITY_FIELDS = (drf_fields.IntegerField, drf_fields.BooleanField, drf_fields.ChoiceField)
UNREADABLE = (
    Serializer,
    ListSerializer,
    drf_fields.SerializerMethodField,
    drf_fields.FileField,
    drf_fields.HiddenField,
    relations.ManyRelatedField,
    relations.HyperlinkedRelatedField,
)


class RowRecord:
    """A row read like a model instance (``record.party_name``), for the serializer's
    ``finish_representation`` and for model properties."""

    __slots__ = ("_row",)

    def __init__(self, row):
        self._row = row

    def __getattr__(self, name):
        try:
            return self._row[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def pk(self):
        return self._row["id"]


def model_column(model, lookup):
    """The concrete model field ``lookup`` (``a`` or ``a__b`` along forward foreign keys)
    ends at, or None."""
    *path, last = lookup.split("__")
    try:
        for name in path:
            field = model._meta.get_field(name)
            if not (field.many_to_one or field.one_to_one) or not field.concrete:
                return None
            model = field.related_model
        field = model._meta.get_field(last)
    except FieldDoesNotExist:
        return None
    if not field.concrete or field.is_relation:
        return None
    return field


def _iso_format(field, setting):
    return str(getattr(field, "format", setting) or "").lower() == ISO_8601


def _converter(field, column):
    """None when the field represents the column's value unchanged, ``DATETIME`` for an ISO
    datetime in the current time zone (as DRF writes it), else the function."""
    if isinstance(field, drf_fields.MultipleChoiceField):
        return field.to_representation
    if isinstance(field, IDENTITY_FIELDS):
        return None
    if type(field) is drf_fields.CharField and column.get_internal_type() in TEXT_COLUMNS:
        return None
    if type(field) is drf_fields.DateTimeField and not hasattr(field, "timezone"):
        if _iso_format(field, api_settings.DATETIME_FORMAT):
            return DATETIME
    if type(field) is drf_fields.DateField and _iso_format(field, api_settings.DATE_FORMAT):
        return datetime.date.isoformat
    return field.to_representation


def iso_datetime(value, zone):
    """DRF's ISO 8601 representation of an aware datetime in ``zone``."""
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def iso_datetime_sql(column):
    """SQL for :func:`iso_datetime` of a timestamptz ``column`` without loading it into
    Python (the loader costs several µs a value): two columns, the local time in the zone
    bound (twice) as parameters, and the zone's offset then in seconds; join them with
    :func:`iso_datetime_from`."""
    local = f"{column} AT TIME ZONE %s"
    return (
        f"replace(to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', ''), "
        f"extract(epoch FROM ({local}) - ({column} AT TIME ZONE 'UTC'))::integer"
    )


@functools.cache
def _offset_text(seconds):
    offset = datetime.timezone(datetime.timedelta(seconds=seconds))
    text = datetime.datetime(2000, 1, 1, tzinfo=offset).isoformat()[19:]
    return "Z" if text == "+00:00" else text


def iso_datetime_from(local, offset_seconds):
    """The ISO 8601 text from the two columns of :func:`iso_datetime_sql`."""
    return local + _offset_text(offset_seconds)


def _reader(model, field):
    """``(lookup, convert, getter)`` of one output field: the values() lookup it reads (or
    None for a model property, read with ``getter`` from the record) and the conversion
    (None: the value as selected). None when the field cannot be read from a row."""
    attrs = field.source_attrs
    if isinstance(field, UNREADABLE):
        return None
    if isinstance(field, relations.SlugRelatedField) and len(attrs) == 1:
        return f"{attrs[0]}__{field.slug_field}", None, None
    if isinstance(field, relations.PrimaryKeyRelatedField) and len(attrs) == 1:
        return model._meta.get_field(attrs[0]).attname, None, None
    if isinstance(field, relations.RelatedField):
        return None
    if len(attrs) == 1 and isinstance(getattr(model, attrs[0], None), property):
        if attrs[0] in _property_expressions(model, field):
            return attrs[0], None, None  # selected: see RowPlan.values
        return None, field.to_representation, getattr(model, attrs[0]).fget
    lookup = "__".join(attrs)
    column = model_column(model, lookup)
    if column is None:
        return None
    return lookup, _converter(field, column), None


def _property_expressions(model, field):
    """The model's SQL forms of its boolean properties (``property_expressions``: name ->
    a function of today's date giving a ``Q``), when ``field`` represents a boolean as is."""
    if type(field) is not drf_fields.BooleanField:
        return {}
    return getattr(model, "property_expressions", {})


class RowPlan:
    def __init__(self, lookups, readers, *, finished=False, properties=None):
        self.lookups = lookups
        self.readers = readers
        # Model properties selected in their SQL form: name -> function of today's date.
        self.properties = properties or {}
        # Rows are in their final form (see public()): no finish_representation.
        self.finished = finished
        self._public = {}
        self.names = tuple(name for name, _lookup, _convert, _getter in readers)
        # Every output value in one C call (a property's slot reads "id" and is replaced).
        keys = [lookup or "id" for _name, lookup, _convert, _getter in readers]
        # An itemgetter of one key returns the value itself rather than a 1-tuple.
        self.pick = operator.itemgetter(*keys) if len(keys) > 1 else lambda row: (row[keys[0]],)
        self.converted = tuple(
            (name, convert) for name, lookup, convert, getter in readers if convert and lookup
        )
        self.computed = tuple(
            (name, convert, getter) for name, _lookup, convert, getter in readers if getter
        )

    def public(self, columns):
        """The plan of a reader who sees every row in the form ``finish_representation``
        gives the public, that form being a substitution (``columns``: output field -> the
        column read instead, or None to leave the field out; see
        ``PublicRecordSerializer.public_columns``). The columns only the left-out and
        replaced fields read are not selected."""
        key = tuple(sorted(columns.items()))
        plan = self._public.get(key)
        if plan is None:
            readers, unread = [], set()
            for name, lookup, convert, getter in self.readers:
                if name in columns:
                    unread.add(lookup)
                    if columns[name] is None:
                        continue
                    lookup, convert, getter = columns[name], None, None
                readers.append((name, lookup, convert, getter))
            unread -= {lookup for _name, lookup, _convert, _getter in readers}
            lookups = tuple(lookup for lookup in self.lookups if lookup not in unread)
            properties = {name: q for name, q in self.properties.items() if name in lookups}
            plan = self._public[key] = RowPlan(
                lookups, tuple(readers), finished=True, properties=properties
            )
        return plan

    def values(self, queryset):
        """``queryset`` as rows carrying every column the representation needs (the
        properties computed in SQL as of today: the rows are read today)."""
        queryset = queryset.prefetch_related(None)
        if self.properties:
            today = timezone.localdate()
            queryset = queryset.annotate(
                **{
                    name: ExpressionWrapper(q(today), output_field=BooleanField())
                    for name, q in self.properties.items()
                }
            )
        return queryset.values(*self.lookups)

    def renderer(self, serializer):
        """A function of a row giving its representation (for one request: the time zone
        and the serializer's context are read once)."""
        zone = timezone.get_current_timezone()
        names, pick, converted, computed = self.names, self.pick, self.converted, self.computed
        finish = None if self.finished else serializer.finish_representation

        def render(row):
            data = dict(zip(names, pick(row), strict=True))
            for name, convert in converted:
                value = data[name]
                if value is not None:
                    data[name] = (
                        iso_datetime(value, zone) if convert is DATETIME else convert(value)
                    )
            record = RowRecord(row)
            for name, convert, getter in computed:
                value = getter(record)
                data[name] = None if value is None else convert(value)
            return data if finish is None else finish(data, record)

        return render


@functools.cache
def plan_for(serializer_class):
    """The plan of a serializer class, or None when it cannot be read from rows."""
    from registry.api.serializers import PublicRecordSerializer

    if serializer_class.to_representation is not PublicRecordSerializer.to_representation:
        return None  # representation logic outside finish_representation
    serializer = serializer_class(context={"request": None})
    model = serializer.Meta.model
    lookups = [field.attname for field in model._meta.concrete_fields]
    readers = []
    for name, field in serializer.fields.items():
        if field.write_only:
            continue
        reader = _reader(model, field)
        if reader is None:
            return None
        lookup, convert, getter = reader
        if lookup is not None and lookup not in lookups:
            lookups.append(lookup)
        readers.append((name, lookup, convert, getter))
    expressions = getattr(model, "property_expressions", {})
    properties = {lookup: expressions[lookup] for lookup in lookups if lookup in expressions}
    return RowPlan(tuple(lookups), tuple(readers), properties=properties)
