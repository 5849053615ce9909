"""The full snapshot: all public data as one ZIP download, one NDJSON file per resource plus
``manifest.json``. Everything in it is read in one repeatable-read transaction together with
the change-feed position it reflects, so a portal can load the snapshot and then follow
``/api/v1/changes/?cursor=<change_cursor>`` without missing or repeating anything.

``build()`` writes the archive to a temporary file and renames it into place (a download
never sees half a file); it does nothing when no public change has happened and the date has
not changed since the last snapshot (expiry depends on the date). The worker calls it
periodically; ``manage.py build_snapshot`` runs it by hand."""

import hashlib
import json
import zipfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from registry.choices import ExportFormat, ExportKind, ExportStatus
from registry.exports.streaming import SCHEMA_VERSION, Counted, consistent_read, last_public_seq
from registry.exports.writers import encoder

KEEP = 2  # snapshot files kept on disk (the newest, and the one downloads may still read)


def directory():
    path = Path(settings.REGISTRY_EXPORT_ROOT) / "snapshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(manifest):
    return directory() / manifest.file_name


def latest():
    """The newest complete snapshot whose file is on disk, or ``None``."""
    from registry.models import ExportManifest

    for manifest in ExportManifest.objects.filter(
        kind=ExportKind.SNAPSHOT, status=ExportStatus.COMPLETE
    ).order_by("-generated_at")[:KEEP]:
        if path_of(manifest).exists():
            return manifest
    return None


def is_current(manifest):
    return (
        manifest is not None
        and manifest.change_seq == last_public_seq()
        and timezone.localdate(manifest.generated_at) == timezone.localdate()
    )


def _write_resource(archive, prefix, viewset_class):
    from registry.api.router import public_viewset

    viewset = public_viewset(prefix, viewset_class)
    rows = Counted(viewset.represent_queryset(viewset.get_queryset().order_by("pk")))
    hasher, size = hashlib.sha256(), 0
    with archive.open(f"{prefix}.ndjson", "w", force_zip64=True) as member:
        for chunk in encoder(ExportFormat.NDJSON)([], rows):
            hasher.update(chunk)
            size += len(chunk)
            member.write(chunk)
    return {
        "file": f"{prefix}.ndjson",
        "resource": prefix,
        "rows": rows.count,
        "bytes": size,
        "sha256": hasher.hexdigest(),
    }


def build(force=False):
    """Build a new snapshot unless the newest one is still current; return its manifest."""
    from registry.api.router import resources
    from registry.changes import encode_cursor
    from registry.models import ExportManifest

    current = latest()
    if not force and is_current(current):
        return current
    generated_at = timezone.now()
    file_name = f"registry-snapshot-{generated_at:%Y%m%dT%H%M%S%fZ}.zip"
    target = directory() / file_name
    partial = target.with_suffix(".partial")
    with consistent_read():
        seq = last_public_seq()
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            parts = [_write_resource(archive, p, v) for p, v in resources()]
            summary = {
                "generated_at": generated_at.isoformat(),
                "schema_version": SCHEMA_VERSION,
                "change_seq": seq,
                "change_cursor": encode_cursor(seq),
                "files": parts,
            }
            archive.writestr("manifest.json", json.dumps(summary, ensure_ascii=False, indent=2))
    hasher = hashlib.sha256()
    with open(partial, "rb") as written:
        while chunk := written.read(1024 * 1024):
            hasher.update(chunk)
    partial.rename(target)
    manifest = ExportManifest.objects.create(
        kind=ExportKind.SNAPSHOT,
        resource="all",
        format=ExportFormat.NDJSON,
        files=parts,
        schema_version=SCHEMA_VERSION,
        change_seq=seq,
        generated_at=generated_at,
        completed_at=timezone.now(),
        status=ExportStatus.COMPLETE,
        row_count=sum(part["rows"] for part in parts),
        byte_count=target.stat().st_size,
        sha256=hasher.hexdigest(),
        file_name=file_name,
    )
    _prune()
    return manifest


def _prune():
    from registry.models import ExportManifest

    keep = set(
        ExportManifest.objects.filter(kind=ExportKind.SNAPSHOT, status=ExportStatus.COMPLETE)
        .order_by("-generated_at")
        .values_list("file_name", flat=True)[:KEEP]
    )
    for path in directory().glob("registry-snapshot-*.zip"):
        if path.name not in keep:
            path.unlink(missing_ok=True)
