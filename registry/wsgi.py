import logging
import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
logger = logging.getLogger("django.request")


class StreamedBodyGuard:
    """A streamed body's first chunk is read before the server sends anything. A download
    whose first read fails (the database gone between the view and the download's first
    query) is then answered as a failing view is — JSON, and 503 with Retry-After when the
    database failed — rather than with the server's bare 500 page; WSGI lets an
    application replace its status and headers until the first byte of the body."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        response = self.application(environ, start_response)
        if not getattr(response, "streaming", False):
            return response
        chunks = iter(response)
        try:
            first = next(chunks)
        except StopIteration:
            return response
        except Exception:
            exc_info = sys.exc_info()
            logger.exception(
                "Streamed body failed before its first byte: %s", environ.get("PATH_INFO")
            )
            response.close()
            from registry.api.errors import json_server_error

            failure = json_server_error(None)
            status = f"{failure.status_code} {failure.reason_phrase}"
            start_response(status, list(failure.items()), exc_info)
            return [failure.content]
        return _Body(first, chunks, response)


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
