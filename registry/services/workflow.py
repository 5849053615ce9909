"""The publication workflow of every record: create, update, submit, publish, withdraw,
amend. Each function is atomic, checks the acting user's scope through the one permission
path, writes the audit log and re-checks the scope after the write."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry import audit
from registry.choices import Action, AuditAction, RecordStatus
from registry.exceptions import TransitionError
from registry.permissions import can, ensure_in_scope


def _require(user, action, record):
    if not can(user, action, record):
        raise PermissionDenied(_("您无权对该记录执行此操作。"))


def _require_department(user, action, department):
    from registry.models import Department

    if not can(user, action, Department(pk=department.pk)):
        raise PermissionDenied(_("您无权为该部门录入记录。"))


def _locked(record):
    """The record re-read under a row lock, so concurrent transitions serialise."""
    return type(record)._default_manager.select_for_update().get(pk=record.pk)


def next_index_number(department, year):
    """The next index number (索引号) of ``department`` for ``year``:
    ``<credit code or department code>/<year>-<five-digit sequence>``."""
    from registry.models import IndexNumberSequence

    table = IndexNumberSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (department_id, year, last_value) VALUES (%s, %s, 1) "
            f"ON CONFLICT (department_id, year) DO UPDATE SET last_value = {table}.last_value + 1 "
            "RETURNING last_value",
            [department.pk, year],
        )
        value = cursor.fetchone()[0]
    prefix = department.uscc or department.code
    return f"{prefix}/{year}-{value:05d}"


def _apply(record, changes):
    for field, value in changes.items():
        setattr(record, field, value)
    # A relation set from an object read just now exists: no query to check it again.
    resolved = [
        field.name
        for field in record._meta.concrete_fields
        if field.many_to_one and field.is_cached(record)
    ]
    record.full_clean(exclude=["index_number", *resolved])


@transaction.atomic
def create(model, *, acting_user, **fields):
    """Create a draft record of ``model`` for a department the user edits for."""
    _require_department(acting_user, Action.CHANGE, fields["department"])
    record = model()
    _apply(record, fields)
    record.index_number = next_index_number(record.department, record.date_made.year)
    record.save(force_insert=True)
    audit.record(record, AuditAction.CREATED, actor=acting_user, after=audit.snapshot(record))
    ensure_in_scope(record, acting_user, Action.CHANGE)
    return record


@transaction.atomic
def update(record, *, acting_user, **changes):
    """Change a record that is not yet published (draft or pending review)."""
    _require(acting_user, Action.CHANGE, record)
    record = _locked(record)
    if record.status not in (RecordStatus.DRAFT, RecordStatus.PENDING_REVIEW):
        raise TransitionError(
            _("已发布或已撤回的记录不能直接修改，请使用更正（amend）。"), code="not_editable"
        )
    if "department" in changes:
        _require_department(acting_user, Action.CHANGE, changes["department"])
    before = audit.snapshot(record)
    _apply(record, changes)
    record.save()
    audit.record(
        record, AuditAction.UPDATED, actor=acting_user, before=before, after=audit.snapshot(record)
    )
    ensure_in_scope(record, acting_user, Action.CHANGE)
    return record


@transaction.atomic
def submit(record, *, acting_user):
    """Send a draft for review by the department's publisher."""
    _require(acting_user, Action.CHANGE, record)
    record = _locked(record)
    if record.status == RecordStatus.PENDING_REVIEW:
        return record
    if record.status != RecordStatus.DRAFT:
        raise TransitionError(_("只有草稿可以提交审核。"), code="not_draft")
    return _transition(
        record, acting_user, AuditAction.SUBMITTED, status=RecordStatus.PENDING_REVIEW
    )


@transaction.atomic
def publish(record, *, acting_user):
    """Publish a draft or reviewed record. Publishing a published record changes nothing."""
    _require(acting_user, Action.PUBLISH, record)
    record = _locked(record)
    if record.status == RecordStatus.PUBLISHED:
        return record
    if record.status == RecordStatus.WITHDRAWN:
        raise TransitionError(_("已撤回的记录不能重新发布。"), code="withdrawn")
    record.check_publishable()
    record = _transition(
        record,
        acting_user,
        AuditAction.PUBLISHED,
        status=RecordStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    record.on_published(acting_user)
    return record


@transaction.atomic
def withdraw(record, *, acting_user, reason, legal_basis, **details):
    """Withdraw a published record. It stays in the registry and its public trace becomes a
    tombstone with the reason and legal ground. Withdrawing twice changes nothing.
    ``details`` are registry-specific fields recorded with the withdrawal."""
    _require(acting_user, Action.PUBLISH, record)
    record = _locked(record)
    if record.status == RecordStatus.WITHDRAWN:
        return record
    if record.status != RecordStatus.PUBLISHED:
        raise TransitionError(_("只有已发布的记录可以撤回；草稿无需撤回。"), code="not_published")
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = _("撤回必须说明理由。")
    if not (legal_basis or "").strip():
        errors["legal_basis"] = _("撤回必须说明依据。")
    if errors:
        raise ValidationError(errors)
    return _transition(
        record,
        acting_user,
        AuditAction.WITHDRAWN,
        reason=reason,
        status=RecordStatus.WITHDRAWN,
        withdrawn_at=timezone.now(),
        withdrawal_reason=reason,
        withdrawal_legal_basis=legal_basis,
        **details,
    )


@transaction.atomic
def amend(record, *, acting_user, reason, **changes):
    """Correct a published record: the public sees the new version and that it was
    corrected; the previous version stays in the audit log."""
    _require(acting_user, Action.PUBLISH, record)
    record = _locked(record)
    if record.status != RecordStatus.PUBLISHED:
        raise TransitionError(_("只有已发布的记录可以更正；草稿请直接修改。"), code="not_published")
    if not (reason or "").strip():
        raise ValidationError({"reason": _("更正必须说明理由。")})
    forbidden = {
        name: _("已发布的记录不能通过更正修改此字段。")
        for name in changes
        if name in record.amend_forbidden_fields and changes[name] != getattr(record, name)
    }
    if forbidden:
        raise ValidationError(forbidden)
    before = audit.snapshot(record)
    _apply(record, changes)
    record.revision += 1
    record.amended_at = timezone.now()
    record.save()
    audit.record(
        record,
        AuditAction.AMENDED,
        actor=acting_user,
        before=before,
        after=audit.snapshot(record),
        reason=reason,
    )
    ensure_in_scope(record, acting_user, Action.PUBLISH)
    return record


def _transition(record, acting_user, action, *, reason="", **fields):
    before = audit.snapshot(record)
    for field, value in fields.items():
        setattr(record, field, value)
    record.save()
    audit.record(
        record,
        action,
        actor=acting_user,
        before=before,
        after=audit.snapshot(record),
        reason=reason,
    )
    return record
