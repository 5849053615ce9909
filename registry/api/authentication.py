"""Token authentication that reuses the token the rate limiter already read.

The rate limiter (:mod:`registry.ratelimits.clients`) runs before DRF and must know the
token's user to count the request; it keeps the token row it read on the request, so DRF's
authentication does not read it a second time."""

from rest_framework import authentication
from rest_framework.authtoken.models import Token

# The attribute of the Django request holding the token row the rate limiter read.
READ_TOKEN = "_registry_token"


def read_token(request, key):
    """The token row with ``key`` (and its user), read once per request."""
    cached = getattr(request, READ_TOKEN, None)
    if cached is not None and cached[0] == key:
        return cached[1]
    token = Token.objects.select_related("user").filter(key=key).first()
    setattr(request, READ_TOKEN, (key, token))
    return token


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate(self, request):
        self._request = request._request if hasattr(request, "_request") else request
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        token = read_token(self._request, key)
        if token is None or not token.user.is_active:
            return super().authenticate_credentials(key)  # DRF's own refusal
        return token.user, token
