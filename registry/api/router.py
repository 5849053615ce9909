"""The ``/api/v1/`` router: the core's resources plus every registered record type."""

from rest_framework.routers import DefaultRouter

from registry import record_types
from registry.api.views import DepartmentViewSet


class RegistryRouter(DefaultRouter):
    include_format_suffixes = False


def build_router():
    router = RegistryRouter()
    router.register("departments", DepartmentViewSet, basename="department")
    for record_type in record_types.registered():
        router.register(record_type.prefix, record_type.viewset, basename=record_type.basename)
    return router
