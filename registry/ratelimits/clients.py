"""Who a request comes from, for counting. In this order:

1. ``X-API-Key: <key>`` -> the key (at its own rate, or the keyed rate); a key that is
   malformed, unknown or revoked is refused (:class:`InvalidApiKey`).
2. ``Authorization: Token <token>`` of an active user, or a logged-in session -> the user,
   at the keyed rate. (This runs before DRF authenticates, so the token is looked up here;
   an invalid token is counted as anonymous and DRF then answers 401; DRF reuses the token
   row read here, see :mod:`registry.api.authentication`.)
3. Otherwise the client's IP address, at the anonymous rate: ``REMOTE_ADDR``, or, when it
   is one of ``REGISTRY_TRUSTED_PROXIES``, the nearest address in ``X-Forwarded-For`` that
   is not a trusted proxy.
"""

import functools
import ipaddress
from dataclasses import dataclass

from django.conf import settings

from registry.api.authentication import read_token
from registry.ratelimits.choices import ClientKind
from registry.ratelimits.keys import authenticate_key
from registry.ratelimits.rates import Rate, default_rate

API_KEY_HEADER = "X-API-Key"


class InvalidApiKey(Exception):
    """The request sent an ``X-API-Key`` that is not a live key."""


@dataclass(frozen=True)
class Client:
    kind: ClientKind
    ident: str  # "key:<prefix>", "user:<id>" or "ip:<address>"
    rate: Rate


def identify(request):
    raw_key = request.headers.get(API_KEY_HEADER)
    if raw_key is not None:
        api_key = authenticate_key(raw_key)
        if api_key is None:
            raise InvalidApiKey
        rate = api_key.rate_override or default_rate(ClientKind.KEYED)
        return Client(ClientKind.KEYED, f"key:{api_key.prefix}", rate)
    user_id = _token_user_id(request) or _session_user_id(request)
    if user_id:
        return Client(ClientKind.KEYED, f"user:{user_id}", default_rate(ClientKind.KEYED))
    return anonymous(request)


def anonymous(request):
    return Client(
        ClientKind.ANONYMOUS, f"ip:{client_ip(request)}", default_rate(ClientKind.ANONYMOUS)
    )


def _token_user_id(request):
    parts = request.headers.get("Authorization", "").split()
    if len(parts) != 2 or parts[0].lower() != "token":
        return None
    token = read_token(request, parts[1])
    return token.user_id if token is not None and token.user.is_active else None


def _session_user_id(request):
    user = getattr(request, "user", None)  # lazy: no query without a session cookie
    return user.pk if user is not None and user.is_authenticated else None


@functools.lru_cache(maxsize=8)
def _networks(proxies):
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies)


def _is_trusted(address, networks):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def _is_address(value):
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_ip(request):
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks(tuple(settings.REGISTRY_TRUSTED_PROXIES))
    if not networks or not _is_trusted(remote, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for address in reversed([a.strip() for a in forwarded if a.strip()]):
        if not _is_trusted(address, networks):
            return address if _is_address(address) else remote
    return remote
