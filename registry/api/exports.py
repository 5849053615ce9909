"""Bulk downloads: ``GET /api/v1/<resource>/bulk-export/?format=csv|ndjson|xlsx&<list filters>``,
``GET /api/v1/changes/bulk-export/``, the manifests at ``/api/v1/exports/<id>/`` and the full
snapshot at ``/api/v1/snapshot/`` (see :mod:`registry.exports`)."""

from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from registry import changes
from registry.api.pagination import KeysetPagination
from registry.api.rows import plan_for
from registry.api.serializers import ErrorSerializer
from registry.choices import ExportFormat, ExportKind
from registry.exports import copy_csv, snapshot, writers
from registry.exports.streaming import streaming_download
from registry.models import ExportManifest

FORMAT_PARAMETER = OpenApiParameter(
    "format",
    str,
    enum=ExportFormat.values,
    description=_("导出格式：csv（默认）、ndjson 或 xlsx"),
)
DOWNLOAD_RESPONSES = {
    (200, content_type.split(";")[0]): OpenApiResponse(OpenApiTypes.BINARY)
    for content_type in writers.CONTENT_TYPES.values()
}


def export_format(request, allowed=ExportFormat.values):
    value = request.query_params.get("format", ExportFormat.CSV)
    if value not in allowed:
        message = _("不支持的导出格式。可用格式：%(formats)s") % {"formats": ", ".join(allowed)}
        raise ValidationError({"format": [message]})
    return value


def readable_columns(serializer):
    """The names of the fields a serializer outputs, in order."""
    return [name for name, field in serializer.fields.items() if not field.write_only]


class ExportActionMixin:
    """Adds ``GET …/bulk-export/`` to a list resource: every row the list endpoint would
    return for the same filters, as one streamed file. (``…/export/`` of enforcement actions
    is the 双公示 layout, a different thing.)"""

    def represent_rows(self, records):
        serializer = self.get_serializer()
        return (serializer.to_representation(record) for record in records)

    def row_plan(self):
        """How this resource's representation is read from value rows for this reader
        (None: it is read from model instances); see :mod:`registry.api.rows`."""
        plan = plan_for(self.get_serializer_class())
        if plan is None:
            return None
        columns = self.get_serializer().public_columns()
        return plan if columns is None else plan.public(columns)

    def represent_queryset(self, queryset):
        """The representations of every row of an ordered queryset, streamed from a
        server-side cursor."""
        plan = self.row_plan()
        if plan is None:
            return self.represent_rows(queryset.iterator(chunk_size=500))
        render = plan.renderer(self.get_serializer())
        return (render(row) for row in plan.values(queryset).iterator(chunk_size=500))

    def represented(self, queryset):
        """``(id, representation)`` pairs of the rows of ``queryset``."""
        plan = self.row_plan()
        if plan is None:
            records = list(queryset)
            return zip([r.pk for r in records], self.represent_rows(records), strict=True)
        render = plan.renderer(self.get_serializer())
        return ((row["id"], render(row)) for row in plan.values(queryset))

    def export_columns(self):
        return readable_columns(self.get_serializer())

    def export_queryset(self):
        queryset = self.filter_queryset(self.get_queryset())
        params = self.request.query_params
        if any(name in params for name in KeysetPagination.SYNC_PARAMETERS):
            return queryset.order_by(*KeysetPagination.SYNC_ORDERING)
        return queryset.order_by("pk")

    @extend_schema(
        parameters=[FORMAT_PARAMETER],
        responses=DOWNLOAD_RESPONSES,
        filters=True,
        summary=_("批量导出（与列表相同的筛选条件）"),
    )
    @action(detail=False, methods=["get"], url_path="bulk-export", pagination_class=None)
    def bulk_export(self, request):
        paging = sorted({"cursor", "page_size"} & set(request.query_params))
        if paging:
            message = _("批量导出不分页，一次返回全部行；请去掉该参数。")
            raise ValidationError({name: [message] for name in paging})
        chosen = export_format(request)
        queryset = self.export_queryset()
        if chosen == ExportFormat.XLSX and queryset.count() > writers.XLSX_MAX_ROWS:
            raise ValidationError(
                {
                    "format": [
                        _("XLSX 最多 %(max)d 行，请缩小筛选范围或改用 CSV、NDJSON。")
                        % {"max": writers.XLSX_MAX_ROWS}
                    ]
                }
            )
        columns = self.export_columns()
        statement = None
        if chosen == ExportFormat.CSV:
            statement = copy_csv.copy_statement(self.get_serializer(), queryset, columns)
        return streaming_download(
            request,
            kind=ExportKind.RESOURCE,
            resource=self.basename,
            export_format=chosen,
            columns=columns,
            rows=lambda: self.represent_queryset(queryset),
            csv_lines=statement and (lambda: copy_csv.copy_lines(statement)),
        )


CHANGE_COLUMNS = ["seq", "occurred_at", "event", "resource", "id", "state", "record", "tombstone"]


class ChangeFeedExportView(APIView):
    """The whole change feed (or the part after ``cursor``) as one streamed file."""

    permission_classes = []

    @extend_schema(
        parameters=[
            FORMAT_PARAMETER,
            OpenApiParameter("cursor", str, description=_("从该游标之后开始；省略则从头开始")),
        ],
        responses=DOWNLOAD_RESPONSES,
        summary=_("变更流批量导出"),
    )
    def get(self, request):
        from registry.api.changes import represent_events

        unknown = set(request.query_params) - {"format", "cursor"}
        if unknown:
            raise ValidationError({name: [_("未知的查询参数。")] for name in sorted(unknown)})
        chosen = export_format(request)
        after = 0
        if "cursor" in request.query_params:
            try:
                after = changes.decode_cursor(request.query_params["cursor"])
            except ValueError as exc:
                raise ValidationError({"cursor": [_("无效的分页游标。")]}) from exc

        def rows():
            position = after
            while True:
                events, last = changes.page(position, changes.MAX_PAGE_SIZE)
                yield from represent_events(events)
                if last == position:  # nothing after it (in this read's snapshot)
                    return
                position = last

        return streaming_download(
            request,
            kind=ExportKind.CHANGES,
            resource="changes",
            export_format=chosen,
            columns=CHANGE_COLUMNS,
            rows=rows,
        )


class ExportManifestSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExportManifest
        fields = [
            "id",
            "kind",
            "resource",
            "format",
            "filters",
            "columns",
            "files",
            "schema_version",
            "change_seq",
            "generated_at",
            "completed_at",
            "status",
            "row_count",
            "byte_count",
            "sha256",
            "truncated_cells",
            "file_name",
        ]


class ExportManifestView(APIView):
    """The manifest of one download (named in the download's ``Link`` header)."""

    permission_classes = []

    @extend_schema(responses=ExportManifestSerializer, summary=_("导出清单"))
    def get(self, request, manifest_id):
        manifest = ExportManifest.objects.filter(pk=manifest_id).first()
        user = request.user if request.user.is_authenticated else None
        if manifest is None or manifest.requested_by_id not in (None, getattr(user, "pk", None)):
            raise NotFound()
        return Response(ExportManifestSerializer(manifest).data)


class SnapshotView(APIView):
    """The latest full snapshot of all public data: a ZIP of one NDJSON file per resource
    plus ``manifest.json``; rebuilt by the worker after changes."""

    permission_classes = []

    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY),
            404: OpenApiResponse(ErrorSerializer, description="No snapshot has been built yet."),
        },
        summary=_("全量快照下载"),
    )
    def get(self, request):
        latest = snapshot.latest()
        if latest is None:
            raise NotFound(_("快照尚未生成，请稍后再试。"))
        response = FileResponse(
            open(snapshot.path_of(latest), "rb"),  # noqa: SIM115 (FileResponse closes it)
            as_attachment=True,
            filename=latest.file_name,
            content_type="application/zip",
        )
        response["ETag"] = f'"{latest.sha256}"'
        response["Link"] = (
            f'<{request.build_absolute_uri(request.path + "manifest/")}>; rel="describedby"'
        )
        return response


class SnapshotManifestView(APIView):
    permission_classes = []

    @extend_schema(
        responses={
            200: ExportManifestSerializer,
            404: OpenApiResponse(ErrorSerializer, description="No snapshot has been built yet."),
        },
        summary=_("全量快照清单"),
    )
    def get(self, request):
        latest = snapshot.latest()
        if latest is None:
            raise NotFound(_("快照尚未生成，请稍后再试。"))
        return Response(ExportManifestSerializer(latest).data)
