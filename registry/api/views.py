from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import mixins, viewsets
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response

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


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema. It is the code's, the same for every reader, and takes a second
    or two to generate, so each process generates it once per language and API version."""

    _generated = {}

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (translation.get_language(), version)
        if key[0] not in dict(settings.LANGUAGES):  # ?lang= of a language we do not speak
            return super()._get_schema_response(request)
        if key not in self._generated:
            self._generated[key] = super()._get_schema_response(request).data
        disposition = f'inline; filename="{self._get_filename(request, version)}"'
        return Response(self._generated[key], headers={"Content-Disposition": disposition})
