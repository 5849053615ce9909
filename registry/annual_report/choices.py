"""Enumerations of the annual report tables."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportFormat(models.TextChoices):
    JSON = "json", "JSON"
    CSV = "csv", _("CSV（UTF-8，每个数值一行）")
    XLSX = "xlsx", _("Excel 工作簿（XLSX，每张表一个工作表）")


class ColumnKind(models.TextChoices):
    COUNT = "count", _("件数")
    AMOUNT = "amount", _("金额（元）")
