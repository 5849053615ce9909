"""Rate limits of ``/api/``, ``/graphql/`` and the Atom feeds under ``/feeds/`` (the docs
pages, static files, the admin and ``/healthz`` are not counted). Every counted response
carries ``X-RateLimit-Limit``, ``X-RateLimit-Remaining`` and ``X-RateLimit-Reset`` (seconds
until the window resets); a client over its limit gets 429 with ``Retry-After`` and the view
is not run."""

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

from registry.ratelimits import counting
from registry.ratelimits.choices import RatePeriod
from registry.ratelimits.clients import API_KEY_HEADER, InvalidApiKey, anonymous, identify
from registry.ratelimits.rates import check_settings

LIMITED_PATHS = ("/api/", "/graphql/", "/feeds/")
EXEMPT_PATHS = ("/api/docs/", "/api/redoc/")  # HTML pages; their assets are under /static/

TOO_MANY = _("请求过于频繁：%(period)s最多 %(limit)d 次，请在 %(wait)d 秒后重试。")
INVALID_KEY = _("接口密钥无效或已被撤销。")
INVALID_KEY_DETAIL = _(
    "请求头 X-API-Key 中的接口密钥无效或已被撤销；不带该请求头即按匿名客户端计数。"
)


def is_limited(path):
    return path.startswith(LIMITED_PATHS) and not path.startswith(EXEMPT_PATHS)


def error_response(request, status, detail, errors=None):
    """A JSON error in the house style (``detail`` and ``errors`` by field), or in the
    GraphQL style (``errors`` with ``message``) on ``/graphql/``."""
    if request.path.startswith("/graphql/"):
        body = {"errors": [{"message": str(detail)}]}
    else:
        body = {"detail": str(detail), **({"errors": errors} if errors else {})}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def too_many_requests(request, decision):
    detail = TOO_MANY % {
        "period": RatePeriod(decision.rate.period).label,
        "limit": decision.rate.limit,
        "wait": decision.reset,
    }
    return error_response(request, 429, detail)


def set_headers(response, decision):
    response["X-RateLimit-Limit"] = str(decision.rate.limit)
    response["X-RateLimit-Remaining"] = str(decision.remaining)
    response["X-RateLimit-Reset"] = str(decision.reset)
    if response.status_code == 429 and not response.has_header("Retry-After"):
        response["Retry-After"] = str(decision.reset)


class RateLimitMiddleware:
    """Counts each request of a limited path for its client (see
    :mod:`registry.ratelimits.clients`). Views may replace ``request.rate_limit`` with the
    decision of a narrower limit they enforce (the comment throttle does when it refuses),
    so the headers describe the limit that was hit."""

    def __init__(self, get_response):
        self.get_response = get_response
        check_settings()

    def __call__(self, request):
        if not is_limited(request.path):
            return self.get_response(request)
        try:
            client = identify(request)
        except InvalidApiKey:
            # Attempts with bad keys count against the address they come from.
            fallback = anonymous(request)
            decision = counting.hit(fallback.ident, fallback.rate)
            if decision.allowed:
                response = error_response(
                    request, 401, INVALID_KEY_DETAIL, {API_KEY_HEADER: [str(INVALID_KEY)]}
                )
                response["WWW-Authenticate"] = f'ApiKey header="{API_KEY_HEADER}"'
            else:
                response = too_many_requests(request, decision)
            set_headers(response, decision)
            return response
        request.rate_limit_client = client
        request.rate_limit = counting.hit(client.ident, client.rate)
        if request.rate_limit.allowed:
            response = self.get_response(request)
        else:
            response = too_many_requests(request, request.rate_limit)
        set_headers(response, request.rate_limit)
        return response
