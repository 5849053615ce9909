from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnforcementConfig(AppConfig):
    name = "enforcement"
    verbose_name = _("行政执法公示")

    def ready(self):
        from enforcement import annual_report
        from enforcement.api.views import RESOURCES
        from enforcement.demo import load_demo
        from enforcement.graphql import EnforcementQuery
        from enforcement.graphql_statistics import EnforcementStatisticsQuery
        from enforcement.models import EnforcementAction
        from registry import demo, record_types
        from registry.annual_report import tables
        from registry.graphql.registration import register_query

        for prefix, viewset in RESOURCES:
            record_types.register(prefix, viewset)
        register_query(EnforcementQuery)
        register_query(EnforcementStatisticsQuery)
        demo.register_loader(load_demo)
        for table in annual_report.TABLES:
            tables.register(table)
        tables.count_as_reported(EnforcementAction, annual_report.reported_q)
        from enforcement import compliance

        compliance.register()
