from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("登记系统基础")

    def ready(self):
        from django.db.models import Field

        from registry import signals  # noqa: F401  (connects the calendar version bump)
        from registry.annual_report import shared, tables
        from registry.querying import AnyOf

        Field.register_lookup(AnyOf)
        for table in shared.TABLES:
            tables.register(table)
