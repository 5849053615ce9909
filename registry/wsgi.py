import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
logger = logging.getLogger("django.request")


# Headers of a download that describe its body, not the exchange: dropped when its first
# read fails and the error is sent instead (the request id, language, security and CORS
# headers stay).
_BODY_HEADERS = frozenset(
    {
        "content-type",
        "content-length",
        "content-disposition",
        "content-encoding",
        "etag",
        "last-modified",
        "link",
        "cache-control",
    }
)


def _describes_body(name):
    name = name.lower()
    return name in _BODY_HEADERS or name.startswith("x-export-")


class StreamedBodyGuard:
    """A streamed body's first chunk is read before the server is given the status and
    headers. A download whose first read fails (the database gone between the view and
    the download's first query) is then answered as a failing view is — JSON, and 503
    with Retry-After when the database failed, in the request's language and with its
    id — rather than with the server's bare 500 page after headers that announced a file.

    ``start_response`` is called once, after the first chunk: a server such as gunicorn
    adds the headers of a second call to those of the first instead of replacing them."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        started = []
        response = self.application(
            environ, lambda status, headers, exc_info=None: started.append((status, headers))
        )
        ((status, headers),) = started
        if not getattr(response, "streaming", False):
            start_response(status, headers)
            return response
        chunks = iter(response)
        try:
            first = next(chunks)
        except StopIteration:
            start_response(status, headers)
            return response
        except Exception:
            logger.exception(
                "Streamed body failed before its first byte: %s", environ.get("PATH_INFO")
            )
            failure = _failure_response(response)
            response.close()
            start_response(
                f"{failure.status_code} {failure.reason_phrase}",
                [(name, value) for name, value in headers if not _describes_body(name)]
                + list(failure.items()),
            )
            return [failure.content]
        start_response(status, headers)
        return _Body(first, chunks, response)


def _failure_response(response):
    """The JSON error a view failing with the exception being handled would give, in the
    language and with the request id the download's headers carry."""
    from types import SimpleNamespace

    from django.utils import translation

    from registry.api.errors import json_server_error

    request = SimpleNamespace(request_id=response.get("X-Request-ID", ""))
    with translation.override(response.get("Content-Language")):
        return json_server_error(request)


class _Body:
    def __init__(self, first, rest, response):
        self.first, self.rest, self.response = first, rest, response

    def __iter__(self):
        yield self.first
        yield from self.rest

    def close(self):
        self.response.close()


application = StreamedBodyGuard(get_wsgi_application())


def _warm_up():
    """What Django builds on first use, built before the first request: the URL patterns'
    reverse index (~100 ms, paid otherwise by the first request that links anywhere, e.g.
    an export naming its manifest)."""
    from django.urls import get_resolver

    get_resolver()._populate()


_warm_up()
