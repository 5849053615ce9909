import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
application = get_wsgi_application()


def _warm_up():
    """What Django builds on first use, built before the first request: the URL patterns'
    reverse index (~100 ms, paid otherwise by the first request that links anywhere, e.g.
    an export naming its manifest)."""
    from django.urls import get_resolver

    get_resolver()._populate()


_warm_up()
