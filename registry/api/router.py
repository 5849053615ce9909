"""The ``/api/v1/`` router: the core's resources plus every registered record type."""

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import include, path
from rest_framework.request import Request
from rest_framework.routers import DefaultRouter, SimpleRouter

from registry import record_types
from registry.api.views import DepartmentViewSet


class RegistryRouter(DefaultRouter):
    include_format_suffixes = False

    def get_urls(self):
        """The API root, then each resource's routes under one ``<prefix>/`` pattern, with
        the same names. Django tries URL patterns one by one: flat, the 210 routes cost a
        request to a resource far down the list some 130 regular expressions."""
        urls = [path("", self.get_api_root_view(), name=self.root_view_name)]
        for prefix, viewset, basename in self.registry:
            routes = SimpleRouter(trailing_slash=bool(self.trailing_slash))
            routes.register("", viewset, basename=basename)
            urls.append(path(f"{prefix}/", include(routes.urls)))
        return urls


def resources():
    """(URL prefix, viewset) of every public resource: the departments and every registered
    record type."""
    return [("departments", DepartmentViewSet)] + [
        (record_type.prefix, record_type.viewset) for record_type in record_types.registered()
    ]


def build_router():
    router = RegistryRouter()
    for prefix, viewset in resources():
        router.register(prefix, viewset, basename=prefix)
    return router


def public_viewset(prefix, viewset_class, params=None):
    """A list viewset for ``prefix`` as an anonymous reader sees it, with ``params`` as its
    query parameters — for the change feed, snapshots and feeds, which show exactly what the
    public API shows."""
    request = Request(RequestFactory().get(f"/api/v1/{prefix}/", params or {}))
    request.user = AnonymousUser()
    return viewset_class(
        request=request, format_kwarg=None, kwargs={}, basename=prefix, action="list"
    )
