from django.db import connection
from django.http import JsonResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.authtoken.views import ObtainAuthToken

from registry.api.filters import DepartmentFilterSet
from registry.api.serializers import DepartmentSerializer
from registry.api.viewsets import RestrictedViewSetMixin
from registry.models import Department
from registry.ratelimits.throttling import LoginRateThrottle


class DepartmentViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The district's departments and town or street offices (public)."""

    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilterSet
    lookup_field = "code"

    def base_queryset(self):
        return Department.objects.select_related("parent")


@extend_schema(tags=["auth"], summary="Obtain an API token (username, password → token)")
class TokenView(ObtainAuthToken):
    """The same token authenticates REST (``Authorization: Token …``) and GraphQL. Attempts
    are limited per address (``REGISTRY_LOGIN_RATE``)."""

    throttle_classes = [LoginRateThrottle]


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
