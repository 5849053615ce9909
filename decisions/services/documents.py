"""Uploading decision documents: size and type limits, SHA-256, versions."""

import hashlib
from pathlib import PurePosixPath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from registry import audit
from registry.choices import Action, AuditAction
from registry.permissions import can

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# extension -> (MIME type, how the content must start)
ALLOWED_TYPES = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".ofd": ("application/ofd", (b"PK\x03\x04",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    ".txt": ("text/plain; charset=utf-8", None),
}


def sniff(upload):
    """The MIME type of an upload, checked against its content; ``ValidationError`` naming
    the ``file`` field otherwise."""
    suffix = PurePosixPath(upload.name).suffix.lower()
    if suffix not in ALLOWED_TYPES:
        raise ValidationError(
            {
                "file": _("不支持的文件类型 %(suffix)s；允许：%(allowed)s。")
                % {"suffix": suffix or "—", "allowed": "、".join(ALLOWED_TYPES)}
            }
        )
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            {
                "file": _("文件过大（%(size)d 字节）；上限 %(limit)d 字节。")
                % {"size": upload.size, "limit": MAX_DOCUMENT_BYTES}
            }
        )
    if upload.size == 0:
        raise ValidationError({"file": _("文件为空。")})
    mime, magics = ALLOWED_TYPES[suffix]
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if magics is None:
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            text = None
        upload.seek(0)
        if text is None or "\x00" in text:
            raise ValidationError({"file": _("文本文件须为 UTF-8 编码。")})
    elif not any(head.startswith(m) for m in magics):
        raise ValidationError(
            {"file": _("文件内容与扩展名 %(suffix)s 不符。") % {"suffix": suffix}}
        )
    return mime


@transaction.atomic
def upload(decision, *, acting_user, kind, title, file):
    """Store a new version of a decision document."""
    from decisions.models import DecisionDocument

    if not can(acting_user, Action.CHANGE, decision):
        raise PermissionDenied(_("您无权为该决策上传材料。"))
    mime = sniff(file)
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    type(decision).objects.select_for_update().get(pk=decision.pk)  # serialise versions
    last = decision.documents.filter(kind=kind).aggregate(last=Max("version"))["last"] or 0
    document = DecisionDocument(
        decision=decision,
        kind=kind,
        version=last + 1,
        title=title,
        original_name=PurePosixPath(file.name).name[:255],
        content_type=mime,
        size=file.size,
        sha256=digest.hexdigest(),
        uploaded_by=acting_user,
    )
    document.file.save(document.sha256, file, save=False)
    document.full_clean()
    document.save()
    audit.record(
        document,
        AuditAction.CREATED,
        actor=acting_user,
        after=audit.snapshot(document),
        department=decision.department,
    )
    if DecisionDocument.objects.public().filter(pk=document.pk).exists():
        # Added to a decision the public already sees: announce it in the change feed.
        audit.record(
            document, AuditAction.PUBLISHED, actor=acting_user, department=decision.department
        )
    return document
