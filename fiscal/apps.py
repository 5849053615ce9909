from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiscalConfig(AppConfig):
    name = "fiscal"
    verbose_name = _("财政和债务信息公开")

    def ready(self):
        from fiscal.api.views import RESOURCES
        from fiscal.demo import load_demo
        from fiscal.graphql import FiscalQuery
        from fiscal.graphql_statistics import FiscalStatisticsQuery
        from registry import demo, record_types
        from registry.graphql.registration import register_query

        for prefix, viewset in RESOURCES:
            record_types.register(prefix, viewset)
        register_query(FiscalQuery)
        register_query(FiscalStatisticsQuery)
        demo.register_loader(load_demo)
        from fiscal import compliance

        compliance.register()
