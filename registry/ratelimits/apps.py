from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RateLimitsConfig(AppConfig):
    name = "registry.ratelimits"
    label = "ratelimits"
    verbose_name = _("接口密钥与访问频率限制")
