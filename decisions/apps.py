from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "decisions"
    verbose_name = _("重大行政决策")

    def ready(self):
        from decisions import annual_report
        from decisions.api.urls import register_resources
        from decisions.demo import load_demo
        from decisions.graphql import DecisionsQuery
        from decisions.graphql_statistics import DecisionsStatisticsQuery
        from registry import demo, feeds
        from registry.annual_report import tables
        from registry.graphql.registration import register_query

        register_resources()
        register_query(DecisionsQuery)
        register_query(DecisionsStatisticsQuery)
        demo.register_loader(load_demo)
        for table in annual_report.TABLES:
            tables.register(table)
        feeds.register_list_feed(
            feeds.ListFeed(
                slug="consultations-open",
                resource="consultations",
                params={"is_open": "true"},
                title=_("正在征求意见的决策草案"),
            )
        )
        from decisions import compliance

        compliance.register()
