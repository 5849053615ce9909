from django.core.exceptions import ValidationError
from django.db import models

from registry.validators import text_errors

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


class PlainTextModel(models.Model):
    """A model whose text refuses control characters (tabs and line breaks are text) when it
    is cleaned: the admin's forms, the services and the CSV import all clean what they
    store, as the API's parsers check what it receives (registry.api.parsers)."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        errors = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if not isinstance(field, TEXT_FIELDS) or field.name in (exclude or ()):
                continue
            for error in text_errors(getattr(self, field.attname)).values():
                errors.setdefault(field.name, []).extend(error.error_list)
        if errors:
            raise ValidationError(errors)
