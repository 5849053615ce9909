"""DRF throttles that count in the shared counter (:mod:`registry.ratelimits.counting`),
never in a per-process cache. A view uses one for a narrower limit inside the general one,
e.g. the public comments of a consultation."""

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from registry.ratelimits import counting
from registry.ratelimits.clients import anonymous
from registry.ratelimits.rates import setting_rate


class SharedRateThrottle(BaseThrottle):
    """Counts per client (the client the rate-limit middleware identified: API key, user or
    address) in ``scope``, at the rate held by the setting ``rate_setting``."""

    scope = None
    rate_setting = None

    def applies(self, request, view):
        """Whether this request is counted at all."""
        return True

    def allow_request(self, request, view):
        self.decision = None
        if not self.applies(request, view):
            return True
        django_request = request._request
        client = getattr(django_request, "rate_limit_client", None) or anonymous(django_request)
        rate = setting_rate(getattr(settings, self.rate_setting), self.rate_setting)
        self.decision = counting.hit(f"{self.scope}:{client.ident}", rate)
        if not self.decision.allowed:
            django_request.rate_limit = self.decision  # the response headers describe it
        return self.decision.allowed

    def wait(self):
        return self.decision.reset if self.decision else None
