"""Conditional requests. Record details carry a version ETag and ``Last-Modified``; every
other GET gets a content ETag from Django's ConditionalGetMiddleware, which also answers
``If-None-Match`` / ``If-Modified-Since`` with 304. Writes honour ``If-Match``: the record
is locked and compared inside the writing transaction, so of two clients holding the same
version only the first write succeeds and the second gets 412."""

from django.utils.http import http_date
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("记录已被修改：If-Match 与当前版本不符，请重新获取后再提交。")
    default_code = "precondition_failed"


def record_etag(record, full_view):
    """The version tag of ``record`` as one reader sees it (full or public view)."""
    stamp = int(record.updated_at.timestamp() * 1_000_000)
    view = "full" if full_view else "public"
    return f'"{record._meta.label_lower}-{record.pk}-{stamp}-{view}"'


def set_validators(response, record, full_view):
    response["ETag"] = record_etag(record, full_view)
    response["Last-Modified"] = http_date(record.updated_at.timestamp())
    return response


def check_if_match(request, record, full_view):
    """Raise 412 unless the request's If-Match names the record's current version."""
    header = request.headers.get("If-Match")
    if not header:
        return
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    if "*" not in tags and record_etag(record, full_view) not in tags:
        raise PreconditionFailed()
