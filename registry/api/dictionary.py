"""The data dictionary: every field of every resource with its Chinese and English label,
type, unit and, for computed fields, the rule that computes it. Built from the serializers
and models themselves, so it cannot drift from the API; the same unit and rule text goes
into the OpenAPI descriptions (``UnitsInDescriptionMixin``)."""

from django.utils import translation
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

TYPES = [
    (serializers.BooleanField, "boolean"),
    (serializers.IntegerField, "integer"),
    (serializers.DecimalField, "decimal string"),
    (serializers.DateTimeField, "datetime (ISO 8601, UTC offset)"),
    (serializers.DateField, "date (ISO 8601)"),
    (serializers.ListField, "array"),
    (serializers.ListSerializer, "array of objects"),
    (serializers.JSONField, "JSON"),
    (serializers.RelatedField, "reference"),
    (serializers.Serializer, "object"),
    (serializers.ChoiceField, "enumeration"),
    (serializers.CharField, "string"),
]
UNIT_NAMES = {
    "元": "yuan",
    "万元": "10,000 yuan",
    "%": "percent",
    "年": "years",
    "月": "months",
    "字节": "bytes",
}


def field_type(field):
    for field_class, name in TYPES:
        if isinstance(field, field_class):
            return name
    return "string"


def unit_of(label):
    for unit, name in UNIT_NAMES.items():
        if str(label).endswith(f"（{unit}）"):
            return name
    return None


def _in(language, text):
    with translation.override(language):
        return str(text) if text else None


def describe_field(name, field, model):
    model_field = None
    if model is not None:
        try:
            model_field = model._meta.get_field(field.source if field.source != "*" else name)
        except Exception:  # a serializer-only field: no model field behind it
            model_field = None
    label = getattr(model_field, "verbose_name", None) or field.label or name
    rule = getattr(model, "computed_fields", {}).get(name) if model is not None else None
    return {
        "name": name,
        "type": field_type(field),
        "label_zh": _in("zh-hans", label),
        "label_en": _in("en", label),
        "unit": unit_of(_in("zh-hans", label)),
        "read_only": bool(field.read_only),
        "write_only": bool(field.write_only),
        "computed_rule_zh": _in("zh-hans", rule),
        "computed_rule_en": _in("en", rule),
    }


def describe_resource(prefix, viewset):
    serializer = viewset.serializer_class()
    model = getattr(serializer.Meta, "model", None) if hasattr(serializer, "Meta") else None
    return {
        "resource": prefix,
        "path": f"/api/v1/{prefix}/",
        "label_zh": _in("zh-hans", model._meta.verbose_name) if model else prefix,
        "label_en": _in("en", model._meta.verbose_name) if model else prefix,
        "fields": [describe_field(n, f, model) for n, f in serializer.fields.items()],
    }


def dictionary():
    from registry.api.router import resources

    return [describe_resource(prefix, viewset) for prefix, viewset in resources()]


class DictionaryView(APIView):
    """The data dictionary of every resource (labels in Chinese and English, types, units,
    computed-field rules)."""

    permission_classes = []

    @extend_schema(responses={200: list[dict]}, summary="Data dictionary")
    def get(self, request):
        return Response(dictionary())
