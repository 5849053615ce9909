"""The base of every record resource: list and detail through the permission path, writes
and state changes through the workflow service functions."""

from django.db import transaction
from django.utils.http import http_date
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.response import Response

from registry.api import prepared
from registry.api.conditional import check_if_match, set_validators
from registry.api.exports import ExportActionMixin
from registry.api.filters import RecordFilterSet, requested_departments
from registry.api.serializers import (
    AmendReasonSerializer,
    PublicEventSerializer,
    TombstoneSerializer,
    WithdrawSerializer,
)
from registry.choices import Action
from registry.models import AuditEntry
from registry.permissions import member_scope
from registry.services import workflow


class Gone(APIException):
    """410 with the public tombstone (typed values, not the strings DRF makes of details)."""

    status_code = status.HTTP_410_GONE
    default_detail = _("该记录已撤回。")
    default_code = "withdrawn"

    def __init__(self, tombstone):
        super().__init__()
        self.detail = {"detail": str(self.default_detail), "tombstone": tombstone}


class RestrictedViewSetMixin(ExportActionMixin):
    """Resolves ``{id}`` strictly (malformed ids are a 400) within the permission path; every
    such resource can also be downloaded whole (``…/bulk-export/``)."""

    lookup_value_regex = "[^/.]+"
    queryset = None  # subclasses define ``base_queryset()``

    def base_queryset(self):
        raise NotImplementedError

    def get_queryset(self):
        queryset = self.base_queryset()
        departments = None
        # Lists and exports (not detail actions: they apply no filters) tell the permission
        # path which of the reader's departments the request's filters limit them to.
        if not getattr(self, "detail", False):
            departments = requested_departments(
                getattr(self, "filterset_class", None),
                queryset.model,
                self.request.query_params,
                self.request,
            )
        return queryset.restrict(self.request.user, Action.VIEW, departments)

    def _lookup_value(self):
        value = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        if self.lookup_field in ("pk", "id") and not value.isdigit():
            raise ValidationError({"id": [_("id 必须是正整数。")]})
        if "\x00" in value:  # no row's code has one (PostgreSQL cannot even compare it)
            raise NotFound()
        return value

    def get_object(self):
        value = self._lookup_value()
        obj = self.get_queryset().filter(**{self.lookup_field: value}).first()
        if obj is None:
            self.raise_not_visible(value)
        self.check_object_permissions(self.request, obj)
        return obj

    def raise_not_visible(self, value):
        raise NotFound()


class RecordViewSet(
    RestrictedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and edit records; ``submit``, ``publish``, ``withdraw`` and
    ``amend`` are POST actions on a record."""

    model = None
    filterset_class = RecordFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def base_queryset(self):
        return self.model.objects.select_related("department")

    def dispatch(self, request, *args, **kwargs):
        """Writes run in one transaction, so the If-Match check and the change it guards
        see the same locked row."""
        if request.method in permissions.SAFE_METHODS:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            return super().dispatch(request, *args, **kwargs)

    def get_object(self):
        record = super().get_object()
        if self.request.method not in permissions.SAFE_METHODS:
            record = self.model.objects.select_for_update(of=("self",)).get(pk=record.pk)
            check_if_match(self.request, record, self._full_view(record))
        return record

    def _full_view(self, record):
        return member_scope(self.request).covers(record.department_id)

    def retrieve(self, request, *args, **kwargs):
        record = self.get_object()
        response = Response(self.get_serializer(record).data)
        return set_validators(response, record, self._full_view(record))

    def list(self, request, *args, **kwargs):
        plan = self.row_plan()
        if plan is None:
            response = super().list(request, *args, **kwargs)
            updated = [r.updated_at for r in getattr(self.paginator, "page", None) or ()]
        else:
            page = self.paginate_queryset(prepared.listed_rows(self, plan))
            render = plan.renderer(self.get_serializer())
            response = self.get_paginated_response([render(row) for row in page])
            updated = [row["updated_at"] for row in page]
        if updated:
            response["Last-Modified"] = http_date(max(updated).timestamp())
        return response

    def raise_not_visible(self, value):
        tombstone = self.model.objects.filter(self.model.tombstone_q(), pk=value).first()
        if tombstone is not None:
            raise Gone(TombstoneSerializer(tombstone.public_tombstone()).data)
        raise NotFound()

    def perform_create(self, serializer):
        record = workflow.create(
            self.model, acting_user=self.request.user, **serializer.validated_data
        )
        serializer.instance = self._written = self._reread(record)

    def perform_update(self, serializer):
        record = workflow.update(
            serializer.instance, acting_user=self.request.user, **serializer.validated_data
        )
        serializer.instance = self._written = self._reread(record)

    def create(self, request, *args, **kwargs):
        response = super().create(request, *args, **kwargs)
        return set_validators(response, self._written, self._full_view(self._written))

    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        return set_validators(response, self._written, self._full_view(self._written))

    def _reread(self, record):
        """The record as a read returns it (annotations and prefetches included)."""
        return self.base_queryset().get(pk=record.pk)

    def _respond(self, record):
        record = self._reread(record)
        response = Response(self.get_serializer(record).data)
        return set_validators(response, record, self._full_view(record))

    @extend_schema(request=None, summary=_("提交审核"))
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._respond(workflow.submit(self.get_object(), acting_user=request.user))

    @extend_schema(request=None, summary=_("发布"))
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._respond(workflow.publish(self.get_object(), acting_user=request.user))

    @extend_schema(request=WithdrawSerializer, summary=_("撤回（留下公开的撤回记录）"))
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        record = self.get_object()
        body = WithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(
            workflow.withdraw(record, acting_user=request.user, **body.validated_data)
        )

    @extend_schema(summary=_("更正已发布的记录（需说明理由）"))
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        record = self.get_object()
        reason = AmendReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        changes = {k: v for k, v in request.data.items() if k != "reason"}
        serializer = self.get_serializer(record, data=changes, partial=True)
        serializer.is_valid(raise_exception=True)
        return self._respond(
            workflow.amend(
                record,
                acting_user=request.user,
                reason=reason.validated_data["reason"],
                **serializer.validated_data,
            )
        )

    @extend_schema(responses=PublicEventSerializer(many=True), summary=_("公开的生命周期事件"))
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request, pk=None):
        record = self.get_object()
        events = (
            AuditEntry.objects.filter(
                content_type__app_label=record._meta.app_label,
                content_type__model=record._meta.model_name,
                object_id=record.pk,
                is_public=True,
            )
            .order_by("seq")
            .values("seq", "action", "created_at", "reason")
        )
        return Response(PublicEventSerializer(events, many=True).data)
