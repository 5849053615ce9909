"""The versioning policy in code. ``/api/v1/`` is stable: fields and endpoints are only
added. Something that must go is first announced here; from then on every response of a
matching path carries ``Deprecation`` (the announcement date), ``Sunset`` (removal, at least
six months later) and a ``Link`` to the changelog entry (RFC 8594 / RFC 9745)."""

import datetime
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.http import http_date

MINIMUM_NOTICE_DAYS = 183  # six months


@dataclass(frozen=True)
class Deprecation:
    path_pattern: str  # a regular expression matched against the request path
    announced: datetime.date
    sunset: datetime.date
    changelog_anchor: str

    def __post_init__(self):
        if (self.sunset - self.announced).days < MINIMUM_NOTICE_DAYS:
            raise ValueError(f"{self.path_pattern}: sunset less than six months after notice")


# Announced deprecations of /api/v1/ (none yet). Add entries here and in docs/API_CHANGELOG.md.
DEPRECATIONS: tuple[Deprecation, ...] = ()


def _midnight(day):
    return datetime.datetime.combine(day, datetime.time(), datetime.UTC)


def _at_midnight(day):
    return http_date(_midnight(day).timestamp())


class DeprecationHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        for entry in getattr(settings, "REGISTRY_DEPRECATIONS", DEPRECATIONS):
            if re.match(entry.path_pattern, request.path):
                response["Deprecation"] = f"@{int(_midnight(entry.announced).timestamp())}"
                response["Sunset"] = _at_midnight(entry.sunset)
                response["Link"] = (
                    f'</docs/API_CHANGELOG.md#{entry.changelog_anchor}>; rel="deprecation"'
                )
                break
        return response
