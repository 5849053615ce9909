"""How the OpenAPI description documents what every view does besides its success: the
errors it answers (in the one JSON form of ``registry/api/errors.py``) and who may call it.

- Reads, token sign-in and public comments are open to anonymous clients: their security
  requirements include ``{}`` (drf-spectacular only knows DRF's own permission classes).
- Every operation lists the client errors it can answer: 400 (a bad parameter or body field,
  named in ``errors``), 401 (credentials refused, or none for a write), 403 (a write the
  user's roles do not allow), 404 (for paths naming a row), 410 with the public tombstone (a
  withdrawn record), 413 (a body over the size limit) and 429 with ``Retry-After``.
- Path ids are positive integers; a serializer's ``withheld_fields`` are null in responses to
  readers they are withheld from, and read-only choices of fields that may be blank include
  "".
- Filters are described as they read their parameters (:class:`FilterExtension`)."""

import django_filters
from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from registry.api.permissions import ReadOnlyUnlessAuthenticated
from registry.api.serializers import ErrorSerializer, GoneSerializer

# Status -> (name under components/responses, description).
ERRORS = {
    400: ("BadRequest", "A query parameter, path id or body field is invalid; `errors` names it."),
    401: ("Unauthorized", "The credentials were refused, or a write was sent without any."),
    403: ("Forbidden", "The user's roles do not allow this change."),
    404: ("NotFound", "Nothing the client may see has this id or code."),
    410: ("Gone", "The record was withdrawn; its public tombstone."),
    413: ("PayloadTooLarge", "The body is over the size limit."),
    429: ("TooManyRequests", "Over the rate limit; `Retry-After` says when to try again."),
}
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "required": True,
        "description": "Seconds until the client may send again.",
    }
}


class RegistryAutoSchema(AutoSchema):
    def get_auth(self):
        auths = super().get_auth()
        if auths and {} not in auths and self._open_to_anyone():
            auths.append({})
        return auths

    def _open_to_anyone(self):
        return all(
            isinstance(permission, ReadOnlyUnlessAuthenticated) and self.method in SAFE_METHODS
            for permission in self.view.get_permissions()
        )

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["name"] == "id" and parameter["schema"].get("type") == "integer":
                parameter["schema"] = {**parameter["schema"], "minimum": 1}
        return parameters

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        if self._blank_choice_in_response(field, direction):
            field.allow_blank = True
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        withheld = getattr(field.parent, "withheld_fields", ())
        if direction == "response" and field.field_name in withheld and "$ref" not in schema:
            schema = {**schema, "nullable": True}
        return schema

    @staticmethod
    def _blank_choice_in_response(field, direction):
        """A read-only choice of a model field that may be blank: DRF drops ``allow_blank``
        from read-only fields, so drf-spectacular would leave "" out of the enumeration."""
        if direction != "response" or not isinstance(field, serializers.ChoiceField):
            return False
        model = getattr(getattr(field.parent, "Meta", None), "model", None)
        if not field.read_only or model is None:
            return False
        try:
            return model._meta.get_field(field.source).blank
        except FieldDoesNotExist:
            return False

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status in self._error_statuses():
            responses.setdefault(str(status), self._error_response(status, direction))
        return dict(sorted(responses.items()))

    def _error_response(self, status, direction):
        """A reference to the response component of ``status`` (registered on first use)."""
        name, description = ERRORS[status]
        serializer = GoneSerializer if status == 410 else ErrorSerializer
        body = self.resolve_serializer(serializer, direction).ref
        response = {"content": {"application/json": {"schema": body}}, "description": description}
        if status == 429:
            response["headers"] = RETRY_AFTER
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.RESPONSE, object=name, schema=response
        )
        self.registry.register_on_missing(component)
        return component.ref

    def _error_statuses(self):
        from registry.api.viewsets import RecordViewSet  # (imports this module's users)

        write = self.method not in SAFE_METHODS
        names_a_row = "{" in self.path
        statuses = [400, 401]
        if write:
            statuses.append(403)
        if names_a_row:
            statuses.append(404)
        if names_a_row and isinstance(self.view, RecordViewSet):
            statuses.append(410)
        if write and self.get_request_serializer() is not None:
            statuses.append(413)
        statuses.append(429)
        return statuses


class FilterExtension(DjangoFilterExtension):
    """django-filter's query parameters as the filters read them: an empty value filters
    nothing (``allowEmptyValue``), and a number filter takes any decimal number up to 1e50
    (drf-spectacular calls a number filter on an integer column an integer)."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        for parameter in parameters:
            # (A multiple choice refuses an empty value: it is no choice.)
            if not parameter.get("required") and not isinstance(
                filter_field, django_filters.MultipleChoiceFilter
            ):
                parameter["allowEmptyValue"] = True
            if isinstance(filter_field, django_filters.NumberFilter):
                parameter["schema"] = {"type": "number", "maximum": 1e50}
        return parameters
