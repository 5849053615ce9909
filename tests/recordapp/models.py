from django.db import models

from registry.models import PublicRecord


class Notice(PublicRecord):
    """A minimal concrete record (tests only): the record base plus a body text."""

    body = models.TextField(blank=True)
