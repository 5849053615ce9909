"""Token authentication that reuses the token the rate limiter already read.

The rate limiter (:mod:`registry.ratelimits.clients`) runs before DRF and must know the
token's user to count the request; it keeps the token row it read on the request, so DRF's
authentication does not read it a second time. The same query reads what the permission
path needs of the user (:func:`registry.permissions.access_columns`): an authenticated list
costs one query besides the page's own. Its SQL is compiled once per process."""

import functools

from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework import authentication
from rest_framework.authtoken.models import Token

from registry.permissions import access_columns, remember_access
from registry.querying import prepared_cursor

# The attribute of the Django request holding the token row the rate limiter read.
READ_TOKEN = "_registry_token"


def read_token(request, key):
    """The token row with ``key`` (and its user), read once per request."""
    cached = getattr(request, READ_TOKEN, None)
    if cached is not None and cached[0] == key:
        return cached[1]
    token = _read_token(key)
    setattr(request, READ_TOKEN, (key, token))
    return token


KEY_PLACEHOLDER = "registry-token-key-placeholder"


@functools.cache
def _token_statement():
    """``(sql, params, position of the key in params, token columns, user columns)``."""
    from django.db.models import OuterRef

    token_columns = [field.attname for field in Token._meta.concrete_fields]
    user_columns = [field.attname for field in get_user_model()._meta.concrete_fields]
    access = access_columns(OuterRef("user_id"))
    queryset = (
        Token.objects.filter(key=KEY_PLACEHOLDER)
        .annotate(**access)
        .values_list(*token_columns, *(f"user__{name}" for name in user_columns), *access)
    )
    sql, params = queryset.query.sql_with_params()
    return sql, params, params.index(KEY_PLACEHOLDER), token_columns, user_columns


def _read_token(key):
    """The token with ``key`` and its user, with the user's access remembered, or None."""
    sql, params, position, token_columns, user_columns = _token_statement()
    params = (*params[:position], key, *params[position + 1 :])
    with prepared_cursor() as cursor:  # planned a few times per connection
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    # (values_list selects the model columns in the order given, the annotations after.)
    split = len(token_columns)
    users = split + len(user_columns)
    user = get_user_model().from_db(connection.alias, user_columns, row[split:users])
    remember_access(user, *row[users:])
    token = Token.from_db(connection.alias, token_columns, row[:split])
    token.user = user
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
