import copy

from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from registry.choices import Action
from registry.models import Department


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id that must be visible to the requesting user (others: "does not exist",
    so a confidential record's existence is not revealed)."""

    def get_queryset(self):
        return self.queryset.restrict(self.context["request"].user, Action.VIEW)


class DepartmentSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Department
        fields = ["id", "code", "name_zh", "name_en", "kind", "parent", "uscc"]


# Fields of the record base that only the workflow sets.
RECORD_READ_ONLY_FIELDS = [
    "id",
    "index_number",
    "status",
    "published_at",
    "revision",
    "amended_at",
    "withdrawn_at",
    "withdrawal_reason",
    "withdrawal_legal_basis",
    "created_at",
    "updated_at",
]
RECORD_FIELDS = [
    *RECORD_READ_ONLY_FIELDS[:3],
    "department",
    "department_name",
    "name",
    "summary",
    "date_made",
    "withheld_ground",
    "withheld_legal_basis",
    "withheld_reassess_on",
    *RECORD_READ_ONLY_FIELDS[3:],
]


# Units named in model verbose names, e.g. "罚款金额（元）", and how the API carries them.
UNITS = {
    "元": "unit: yuan (CNY); a decimal string, exact to the fen, never a float",
    "万元": "unit: 10,000 yuan; a decimal string",
    "%": "unit: percent; a decimal string",
    "年": "unit: years",
    "月": "unit: months",
}


class UnitsInDescriptionMixin:
    """Adds each model field's unit (from its verbose name) and, for computed fields, the
    rule that computes it to the field's description, so the OpenAPI document says what
    every number means."""

    def build_field(self, field_name, info, model_class, nested_depth):
        field_class, kwargs = super().build_field(field_name, info, model_class, nested_depth)
        model_field = info.fields.get(field_name) if hasattr(info, "fields") else None
        label = getattr(model_field, "verbose_name", "")
        # (Lazy: the fields are built once and serve every language.)
        with translation.override(None):  # the Chinese source text names the unit
            source = str(label)
        for unit, description in UNITS.items():
            if source.endswith(f"（{unit}）"):
                kwargs["help_text"] = format_lazy("{}; {}", label, description)
        rule = getattr(model_class, "computed_fields", {}).get(field_name)
        if rule:
            text = kwargs.get("help_text") or label
            kwargs["help_text"] = format_lazy("{}; computed: {}", text, rule)
        return field_class, kwargs


# Serializer class -> its fields, unbound (see PublicRecordSerializer.get_fields).
_FIELD_PROTOTYPES = {}


class PublicRecordSerializer(UnitsInDescriptionMixin, serializers.ModelSerializer):
    """Base serializer of every record resource. Subclasses set ``Meta.model`` and extend
    ``Meta.fields`` with ``RECORD_FIELDS``."""

    department = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Department.objects.all(),
        help_text=_("所属部门代码"),
    )
    department_name = serializers.CharField(source="department.name_zh", read_only=True)

    class Meta:
        fields = RECORD_FIELDS
        read_only_fields = RECORD_READ_ONLY_FIELDS

    def get_fields(self):
        """The fields, built once per class (from ``Meta`` alone) and copied for each
        serializer: building the fields of a model serializer costs ~10 ms, the copy ~1."""
        prototype = _FIELD_PROTOTYPES.get(type(self))
        if prototype is None:
            prototype = _FIELD_PROTOTYPES[type(self)] = self.build_fields()
        return copy.deepcopy(prototype)

    def build_fields(self):
        """A record that belongs to another (``owner_field``) takes its department from it:
        the department is then read-only here."""
        fields = super().get_fields()
        if self.Meta.model.owner_field:
            fields["department"] = serializers.SlugRelatedField(
                slug_field="code", read_only=True, help_text=_("所属部门代码（随所属记录）")
            )
        return fields

    def to_representation(self, record):
        return self.finish_representation(super().to_representation(record), record)

    def finish_representation(self, data, record):
        """What a resource does to a record's representation beyond its fields (redaction,
        withheld content). ``record`` is a model instance, or a row read like one
        (:class:`registry.api.rows.RowRecord`): use its columns and properties only."""
        return data

    def public_columns(self):
        """For a reader who sees every record in one public form that substitutes columns
        (a redaction), that form: ``{output field: the column read instead, or None to
        leave the field out}``; lists then read rows in that form and skip
        ``finish_representation`` (:meth:`registry.api.rows.RowPlan.public`). None: each
        row is finished."""
        return None

    def finish_expressions(self, cells):
        """``finish_representation`` in SQL, for CSV written by PostgreSQL
        (:mod:`registry.exports.copy_csv`): ``cells`` maps each output field to the SQL
        expression of its cell; return the map as this reader should see it, or None when
        there is no SQL form (the export then goes through ``finish_representation``)."""
        if type(self).finish_representation is not PublicRecordSerializer.finish_representation:
            return None
        return cells

    def validate(self, attrs):
        attrs = super().validate(attrs)
        field = self.Meta.model.owner_field
        if field:
            owner = attrs.get(field) or getattr(self.instance, field, None)
            if owner is not None:
                attrs["department"] = owner.department
        return attrs


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text=_("撤回理由（公开）"))
    legal_basis = serializers.CharField(max_length=500, help_text=_("撤回依据（公开）"))


class AmendReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text=_("更正理由（公开）"))


class TombstoneSerializer(serializers.Serializer):
    """What remains public of a withdrawn record."""

    id = serializers.IntegerField()
    index_number = serializers.CharField()
    name = serializers.CharField()
    status = serializers.CharField()
    withdrawn_at = serializers.DateTimeField()
    withdrawal_reason = serializers.CharField()
    withdrawal_legal_basis = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """An error answer (``registry/api/errors.py``)."""

    detail = serializers.CharField(help_text="What is wrong, in one sentence.")
    errors = serializers.DictField(
        required=False,
        help_text="For a 400: the messages by parameter or body field (nested as the body).",
    )


class GoneSerializer(serializers.Serializer):
    """The answer about a withdrawn record (``registry.api.viewsets.Gone``)."""

    detail = serializers.CharField()
    tombstone = TombstoneSerializer()


class PublicEventSerializer(serializers.Serializer):
    """A public lifecycle event of a record (published, amended, withdrawn)."""

    seq = serializers.IntegerField()
    action = serializers.CharField()
    created_at = serializers.DateTimeField()
    reason = serializers.CharField()
