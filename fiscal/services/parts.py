"""Adding the parts of a project (targets, funding) and of a bond (funded
projects) while they are not yet published; published ones change through ``amend`` of the
parent only."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from registry import audit
from registry.choices import Action, AuditAction, RecordStatus
from registry.exceptions import TransitionError
from registry.permissions import can

EDITABLE = (RecordStatus.DRAFT, RecordStatus.PENDING_REVIEW)


def _require_editable(parent, acting_user):
    if not can(acting_user, Action.CHANGE, parent):
        raise PermissionDenied(_("您无权修改该记录。"))
    if parent.status not in EDITABLE:
        raise TransitionError(_("已发布的记录不能再增删明细。"), code="not_editable")


@transaction.atomic
def add_part(parent, model_class, *, acting_user, **fields):
    """Create a part of ``parent`` (e.g. a performance target of a project)."""
    parent = type(parent).objects.select_for_update().get(pk=parent.pk)
    _require_editable(parent, acting_user)
    parent_field = next(
        f.name
        for f in model_class._meta.concrete_fields
        if f.is_relation and f.related_model is type(parent)
    )
    part = model_class(**{parent_field: parent}, **fields)
    part.full_clean()
    part.save()
    audit.record(
        part,
        AuditAction.CREATED,
        actor=acting_user,
        after=audit.snapshot(part),
        department=parent.department,
    )
    return part
