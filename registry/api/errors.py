"""Errors as JSON with a message that names the field. Every error body has ``detail``
(one human-readable sentence); validation errors add ``errors`` (field -> messages)."""

import sys

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler


def _first_message(errors, path=""):
    if isinstance(errors, dict):
        for key, value in errors.items():
            name = key if key != "non_field_errors" else ""
            found = _first_message(value, f"{path}.{name}" if path and name else name or path)
            if found:
                return found
    elif isinstance(errors, list):
        for value in errors:
            found = _first_message(value, path)
            if found:
                return found
    elif errors:
        return f"{path}: {errors}" if path else str(errors)
    return None


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=as_serializer_error(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = (
            response.data
            if isinstance(response.data, dict)
            else {"non_field_errors": response.data}
        )
        response.data = {
            "detail": _("请求有误：%(message)s") % {"message": _first_message(errors)},
            "errors": errors,
        }
    return response


def json_not_found(request, exception=None):
    return JsonResponse(
        {"detail": _("未找到。")}, status=404, json_dumps_params={"ensure_ascii": False}
    )


# Seconds a client is asked to wait when the database cannot serve the request.
DATABASE_RETRY_AFTER = 5


def database_unavailable(exc):
    """Whether ``exc`` is the database failing rather than the request or the code: the
    server down or restarting, a connection cut or refused (``OperationalError``,
    ``InterfaceError``; also a deadlock or a serialisation failure). The same request may
    succeed when repeated."""
    return isinstance(exc, OperationalError | InterfaceError)


def json_server_error(request):
    """An unhandled error: 500, or 503 with ``Retry-After`` when the database could not
    serve the request (Django calls this while handling the exception)."""
    if database_unavailable(sys.exc_info()[1]):
        response = JsonResponse(
            {
                "detail": _("数据库暂时无法处理请求，请稍后重试。"),
                "request_id": getattr(request, "request_id", ""),
            },
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
        response["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response
    return JsonResponse(
        {
            "detail": _("服务器内部错误，请稍后重试。"),
            "request_id": getattr(request, "request_id", ""),
        },
        status=500,
        json_dumps_params={"ensure_ascii": False},
    )


def json_bad_request(request, exception=None):
    """A request Django refused before any view: beyond a size limit (a body over
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is 413; too many query or form fields 400, each naming
    its limit), or otherwise malformed."""
    if isinstance(exception, RequestDataTooBig):
        detail = _("请求体过大：上限为 %(limit)s 字节。") % {
            "limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        }
        status = 413
    elif isinstance(exception, TooManyFieldsSent):
        detail = _("查询参数或表单字段过多：上限为 %(limit)s 个。") % {
            "limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        }
        status = 400
    else:
        detail, status = _("请求有误。"), 400
    return JsonResponse(
        {"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False}
    )


def json_forbidden(request, exception=None):
    return JsonResponse(
        {"detail": _("无权访问。")}, status=403, json_dumps_params={"ensure_ascii": False}
    )
