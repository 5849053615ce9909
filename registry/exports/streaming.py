"""Streaming bulk downloads with a manifest.

The rows are read in one read-only, repeatable-read transaction through a server-side
cursor (``iterator()`` inside ``atomic()``, so PostgreSQL sends rows as they are read), encoded
chunk by chunk and sent as they are produced: memory stays constant however many rows there
are. While the bytes go out they are counted and hashed; when the last chunk has been sent
the manifest records the row count, the byte count, the SHA-256 and the change-feed position
the rows reflect. A download cut short leaves an ``aborted`` manifest without a hash."""

import hashlib
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from registry.choices import ExportStatus
from registry.exports import writers

SCHEMA_VERSION = settings.SPECTACULAR_SETTINGS["VERSION"]


def last_public_seq():
    from registry.models import AuditEntry

    return (
        AuditEntry.objects.filter(is_public=True).order_by("-seq").values_list("seq", flat=True)
    ).first() or 0


@contextmanager
def consistent_read():
    """One snapshot for everything read inside (when this opens the outermost transaction;
    nested in another, it reads within that one)."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


class Counted:
    """An iterator that counts what passes through it."""

    def __init__(self, iterable):
        self._iterator = iter(iterable)
        self.count = 0

    def __iter__(self):
        return self

    def __next__(self):
        item = next(self._iterator)
        self.count += 1
        return item


def query_filters(request, ignore=("format",)):
    """The query parameters a download was asked with, for its manifest."""
    return {
        name: values[0] if len(values) == 1 else values
        for name, values in request.query_params.lists()
        if name not in ignore
    }


def streaming_download(request, *, kind, resource, export_format, columns, rows, csv_lines=None):
    """A streamed download of ``rows()`` (a callable returning an iterator of row dicts, run
    inside the consistent read) with its manifest; or, for a CSV, of ``csv_lines()`` (the
    encoded lines of the same rows) when given."""
    from registry.models import ExportManifest

    generated_at = timezone.now()
    file_name = f"{resource}-{generated_at:%Y%m%dT%H%M%SZ}.{export_format}"
    user = request.user if request.user.is_authenticated else None
    manifest = ExportManifest.objects.create(
        kind=kind,
        resource=resource,
        format=export_format,
        filters=query_filters(request),
        columns=list(columns),
        schema_version=SCHEMA_VERSION,
        generated_at=generated_at,
        requested_by=user,
        file_name=file_name,
    )
    encode = writers.encoder(export_format)

    def body():
        hasher, size, finished, seq, counted = hashlib.sha256(), 0, False, None, Counted(())
        try:
            with consistent_read():
                seq = last_public_seq()
                source = rows() if csv_lines is None else csv_lines()
                counted = Counted(source)
                if csv_lines is None:
                    chunks = encode(columns, counted)
                else:
                    chunks = writers.csv_from_lines(columns, counted)
                try:
                    for chunk in chunks:
                        hasher.update(chunk)
                        size += len(chunk)
                        yield chunk
                finally:
                    # A download cut short stops its query (a COPY is cancelled) while
                    # the transaction it runs in is still open.
                    getattr(source, "close", lambda: None)()
            finished = True
        finally:
            ExportManifest.objects.filter(pk=manifest.pk).update(
                status=ExportStatus.COMPLETE if finished else ExportStatus.ABORTED,
                completed_at=timezone.now(),
                row_count=counted.count,
                byte_count=size,
                sha256=hasher.hexdigest() if finished else "",
                change_seq=seq,
                truncated_cells=getattr(encode, "truncated_cells", 0),
            )

    response = StreamingHttpResponse(body(), content_type=writers.CONTENT_TYPES[export_format])
    manifest_url = request.build_absolute_uri(reverse("export-manifest", args=[manifest.pk]))
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    response["Link"] = f'<{manifest_url}>; rel="describedby"'
    response["X-Export-Manifest"] = manifest_url
    response["Cache-Control"] = "no-store"
    return response
