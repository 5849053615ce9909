"""Keyset (cursor) pagination with a documented maximum page size. Asking for more than the
maximum, or sending a cursor we did not issue, is a 400 — never a silently shortened page."""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_description = _("分页游标（不透明字符串，取自上一页的 next/previous 链接）")
    page_size_query_description = _("每页条数，1 至 500，默认 50")

    # Incremental sync: with updated_since/updated_before the page runs oldest change first,
    # by (updated_at, id), so a client can resume from the last row it saw.
    SYNC_PARAMETERS = ("updated_since", "updated_before")
    SYNC_ORDERING = ("updated_at", "id")

    def get_ordering(self, request, queryset, view):
        if any(name in request.query_params for name in self.SYNC_PARAMETERS):
            return self.SYNC_ORDERING
        return super().get_ordering(request, queryset, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                bounds = {"minimum": 1, "maximum": self.max_page_size}
                parameter["schema"] = {**parameter["schema"], **bounds}
        return parameters

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("page_size 必须是 1 至 %(max)d 之间的整数。")
                        % {"max": self.max_page_size}
                    ]
                }
            )
        return int(raw)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except NotFound as exc:
            raise ValidationError({self.cursor_query_param: [_("无效的分页游标。")]}) from exc
