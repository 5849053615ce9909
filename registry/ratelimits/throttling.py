"""DRF throttles that count in the shared counter (:mod:`registry.ratelimits.counting`),
never in a per-process cache. A view uses one for a narrower limit inside the general one,
e.g. the public comments of a consultation."""

import functools

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
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

    def client(self, django_request):
        """Who is counted: the client the rate-limit middleware identified."""
        return getattr(django_request, "rate_limit_client", None) or anonymous(django_request)

    def count(self, django_request):
        """Count the request; the :class:`~registry.ratelimits.counting.Decision`."""
        rate = setting_rate(getattr(settings, self.rate_setting), self.rate_setting)
        return counting.hit(f"{self.scope}:{self.client(django_request).ident}", rate)

    def allow_request(self, request, view):
        self.decision = None
        if not self.applies(request, view):
            return True
        django_request = request._request
        self.decision = self.count(django_request)
        if not self.decision.allowed:
            django_request.rate_limit = self.decision  # the response headers describe it
        return self.decision.allowed

    def wait(self):
        return self.decision.reset if self.decision else None


class LoginRateThrottle(SharedRateThrottle):
    """Sign-in attempts, per address whoever claims to be signing in: token logins here,
    the admin's through :func:`throttled_login`, in one count. Passwords are not guessed at
    speed."""

    scope = "login"
    rate_setting = "REGISTRY_LOGIN_RATE"

    def applies(self, request, view):
        return request.method == "POST"

    def client(self, django_request):
        return anonymous(django_request)


def throttled_login(view):
    """A Django login view (the admin's) whose attempts count as :class:`LoginRateThrottle`
    counts them: beyond the rate, 429 with ``Retry-After``."""

    @functools.wraps(view)
    def login(request, *args, **kwargs):
        if request.method == "POST":
            decision = LoginRateThrottle().count(request)
            if not decision.allowed:
                response = HttpResponse(
                    _("登录尝试过于频繁，请稍后再试。"),
                    status=429,
                    content_type="text/plain; charset=utf-8",
                )
                response["Retry-After"] = str(decision.reset)
                return response
        return view(request, *args, **kwargs)

    return login
