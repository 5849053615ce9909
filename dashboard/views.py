"""``/dashboard/``: the public dashboard page. Its data is computed once per request
(:func:`dashboard.data.dashboard`) and embedded as JSON (``json_script``, which the
browser never runs); the charts are drawn by ``dashboard.js`` with the vendored ECharts,
so the page needs no inline script and no outside network (CSP: scripts from ``self``)."""

from django.views.generic import TemplateView

from dashboard import data
from registry.permissions import is_oversight


class DashboardView(TemplateView):
    template_name = "dashboard/index.html"
    http_method_names = ["get", "head"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["data"] = data.dashboard()
        # Oversight also gets links to the records behind each shortfall (the compliance
        # API's detail, narrowed there by the permission path).
        context["oversight"] = is_oversight(self.request.user)
        return context
