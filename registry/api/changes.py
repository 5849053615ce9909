"""``GET /api/v1/changes/``: the change feed for portals (see :mod:`registry.changes`)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from registry import changes
from registry.api.rows import iso_datetime
from registry.choices import FeedState

DEFAULT_PAGE_SIZE = 200


class ChangeEventSerializer(serializers.Serializer):
    seq = serializers.IntegerField(help_text=_("事件序号，严格递增"))
    occurred_at = serializers.DateTimeField()
    event = serializers.CharField(
        help_text=_("published、amended、withdrawn、stage_changed、display_ended")
    )
    resource = serializers.CharField(help_text=_("资源名，如 decisions"))
    id = serializers.IntegerField()
    state = serializers.ChoiceField(
        choices=FeedState.values,
        help_text=_("present：record 为当前公开内容；tombstone：已撤回；removed：已不再公开"),
    )
    record = serializers.DictField(required=False)
    tombstone = serializers.DictField(required=False)


def represent_events(events):
    """What ``ChangeEventSerializer(events, many=True).data`` gives, without walking every
    value of every record through DRF fields: the events are built of representations
    already, only the time needs formatting (ISO 8601 in the current time zone, as DRF's
    ``DateTimeField`` writes it)."""
    zone = timezone.get_current_timezone()
    return [
        event  # read with stored states: the time is text already
        if isinstance(event["occurred_at"], str)
        else {**event, "occurred_at": iso_datetime(event["occurred_at"], zone)}
        for event in events
    ]


class ChangeFeedView(APIView):
    """Every public event of every resource, oldest first, paged by an opaque cursor. The
    ``next`` link is always present: poll it to receive what happens next."""

    permission_classes = []

    @extend_schema(
        parameters=[
            OpenApiParameter("cursor", str, description=_("上一页返回的游标；省略则从头开始")),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": changes.MAX_PAGE_SIZE},
                description=_("每页条数，1 至 1000，默认 200"),
            ),
        ],
        responses=inline_serializer(
            "ChangeFeedPage",
            {"next": serializers.CharField(), "results": ChangeEventSerializer(many=True)},
        ),
        summary=_("变更流（含撤回和不再公开的记录）"),
    )
    def get(self, request):
        params = request.query_params
        errors = {name: [_("未知的查询参数。")] for name in set(params) - {"cursor", "page_size"}}
        after = 0
        if "cursor" in params:
            try:
                after = changes.decode_cursor(params["cursor"])
            except ValueError:
                errors["cursor"] = [_("无效的分页游标。")]
        size = params.get("page_size", str(DEFAULT_PAGE_SIZE))
        if not size.isdigit() or not 1 <= int(size) <= changes.MAX_PAGE_SIZE:
            errors["page_size"] = [
                _("page_size 必须是 1 至 %(max)d 之间的整数。") % {"max": changes.MAX_PAGE_SIZE}
            ]
        if errors:
            raise ValidationError(errors)
        events, last = changes.page(after, int(size), stored_states=True)
        next_url = request.build_absolute_uri(
            f"{request.path}?cursor={changes.encode_cursor(last)}&page_size={size}"
        )
        return Response({"next": next_url, "results": represent_events(events)})
