"""``/dashboard/``: the public dashboard page. Its data (:func:`dashboard.data.dashboard`) are
embedded as JSON (``json_script``, which the browser never runs); the charts are drawn by
``dashboard.js`` with the vendored ECharts, so the page needs no inline script and no outside
network (CSP: scripts from ``self``).

The data are the same for every reader of a language, and computing them reads the whole
registry (one aggregate query per chart and per compliance check): each process keeps them
for ``CACHE_SECONDS``, so a burst of visits costs one computation."""

from django.core.cache import cache
from django.utils import timezone, translation
from django.views.generic import TemplateView

from dashboard import data
from registry.permissions import is_oversight

CACHE_SECONDS = 60


def cached_data():
    key = f"dashboard:data:{translation.get_language()}:{timezone.localdate().isoformat()}"
    return cache.get_or_set(key, data.dashboard, CACHE_SECONDS)


class DashboardView(TemplateView):
    template_name = "dashboard/index.html"
    http_method_names = ["get", "head"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["data"] = cached_data()
        # Oversight also gets links to the records behind each shortfall (the compliance
        # API's detail, narrowed there by the permission path).
        context["oversight"] = is_oversight(self.request.user)
        return context
