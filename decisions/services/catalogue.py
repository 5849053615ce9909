"""Publishing the annual catalogue and its adjustments as immutable versions."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from decisions.choices import Stage
from registry import audit
from registry.choices import Action, AuditAction, RecordStatus
from registry.exceptions import TransitionError
from registry.permissions import can


def check_catalogue_publishable(catalogue):
    if catalogue.approval_date is None:
        raise TransitionError(_("目录须经批准后发布：请填写批准日期。"), code="not_approved")


def _entries(catalogue):
    """The catalogue's public entries: decisions the public can see, minus those taken out
    of the catalogue."""
    from decisions.models import Decision

    decisions = (
        Decision.objects.public()
        .filter(catalogue=catalogue)
        .exclude(stage=Stage.WITHDRAWN)
        .select_related("department")
        .order_by("id")
    )
    return [
        {
            "decision_id": d.pk,
            "index_number": d.index_number,
            "name": d.name,
            "category": d.category,
            "department": d.department.code,
            "department_name": d.department.name_zh,
        }
        for d in decisions
    ]


def _diff(previous, current):
    before = {e["decision_id"]: e for e in previous}
    after = {e["decision_id"]: e for e in current}
    return {
        "added": [after[k] for k in after if k not in before],
        "removed": [before[k] for k in before if k not in after],
        "changed": [
            {"before": before[k], "after": after[k]}
            for k in after
            if k in before and before[k] != after[k]
        ],
    }


def publish_version(catalogue, *, acting_user, note, approval_date=None):
    """Write the next version of a published catalogue (inside the caller's transaction)."""
    from decisions.models import CatalogueVersion

    last = catalogue.versions.order_by("-number").first()
    entries = _entries(catalogue)
    version = CatalogueVersion.objects.create(
        catalogue=catalogue,
        number=(last.number + 1) if last else 1,
        approval_date=approval_date or catalogue.approval_date,
        published_at=timezone.now(),
        note=str(note),
        entries=entries,
        changes=_diff(last.entries if last else [], entries),
    )
    if last is not None:  # the first version is covered by the catalogue's "published" entry
        audit.record(
            catalogue,
            AuditAction.AMENDED,
            actor=acting_user,
            after={"version": version.number, "changes": version.changes},
            reason=str(note),
        )
    return version


@transaction.atomic
def publish_adjustment(catalogue, *, acting_user, note, approval_date):
    """Publish an adjustment of the catalogue (目录调整) as a new version."""
    if not can(acting_user, Action.PUBLISH, catalogue):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("您无权调整该目录。"))
    catalogue = type(catalogue).objects.select_for_update().get(pk=catalogue.pk)
    if catalogue.status != RecordStatus.PUBLISHED:
        raise TransitionError(_("目录尚未发布，不能调整；请先发布。"), code="not_published")
    errors = {}
    if not (note or "").strip():
        errors["note"] = _("调整必须说明内容和理由。")
    if approval_date is None:
        errors["approval_date"] = _("调整须经批准：请填写批准日期。")
    if errors:
        raise ValidationError(errors)
    return publish_version(
        catalogue, acting_user=acting_user, note=note, approval_date=approval_date
    )
