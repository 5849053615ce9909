from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "registry.webhooks"
    label = "webhooks"
    verbose_name = _("数据推送（Webhook）")

    def ready(self):
        from registry.webhooks import signals  # noqa: F401  (queues dispatch after public events)
