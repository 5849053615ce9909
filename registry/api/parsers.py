"""The API's request parsers: DRF's, refusing text that holds a control character (a 400
naming the field, ``entity_pool[1].name`` inside a JSON value) before any view reads it,
and a multipart body over ``REGISTRY_UPLOAD_MAX_BYTES`` before it is read (413)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.settings import api_settings

from registry.validators import text_errors


def checked(data):
    if hasattr(data, "lists"):  # a form: each field's values, named by the field
        errors = {}
        for name, values in data.lists():
            for value in values:
                errors.update(text_errors(value, name))
    else:
        errors = text_errors(data)
    if errors:
        raise ValidationError(
            {
                path or api_settings.NON_FIELD_ERRORS_KEY: error.messages
                for path, error in errors.items()
            }
        )
    return data


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return checked(super().parse(stream, media_type, parser_context))


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        return checked(super().parse(stream, media_type, parser_context))


class UploadTooLarge(APIException):
    status_code = 413
    default_code = "upload_too_large"


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.REGISTRY_UPLOAD_MAX_BYTES
        try:
            length = int(parser_context["request"].META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # as Django's own multipart parser reads it
        if length > limit:  # refused before any of it is written to disk
            raise UploadTooLarge(_("上传内容过大：上限为 %(limit)s 字节。") % {"limit": limit})
        parsed = super().parse(stream, media_type, parser_context)
        checked(parsed.data)
        return parsed
