"""Granting and revoking roles. Department roles are django-guardian object permissions on the
department (direct foreign-key table); district-wide roles are group memberships."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import assign_perm, remove_perm

from registry import audit
from registry.choices import DEPARTMENT_ROLES, Action, AuditAction, Role
from registry.permissions import ROLE_PERMISSIONS, can, district_group


def _check(role, department, acting_user):
    role = Role(role)
    if role in DEPARTMENT_ROLES and department is None:
        raise ValidationError({"department": _("部门角色必须指定部门。")})
    if role not in DEPARTMENT_ROLES and department is not None:
        raise ValidationError({"department": _("全区角色不属于任何部门。")})
    if acting_user is not None and not acting_user.is_superuser:
        if department is None or not can(acting_user, Action.MANAGE, department):
            raise PermissionDenied(_("您无权管理该部门的成员。"))
    return role


@transaction.atomic
def grant_role(user, role, department=None, *, acting_user=None):
    """Give ``user`` a role (on ``department`` for department roles). ``acting_user`` None
    means an operator at the command line."""
    role = _check(role, department, acting_user)
    if role in DEPARTMENT_ROLES:
        assign_perm(f"registry.{ROLE_PERMISSIONS[role]}", user, department)
    else:
        user.groups.add(district_group(role))
    if not user.is_staff:
        user.is_staff = True  # role holders work in the admin too
        user.save(update_fields=["is_staff"])
    audit.record(
        user,
        AuditAction.ROLE_GRANTED,
        actor=acting_user,
        department=department,
        after={"role": role.value, "department": getattr(department, "code", None)},
    )


@transaction.atomic
def revoke_role(user, role, department=None, *, acting_user=None):
    role = _check(role, department, acting_user)
    if role in DEPARTMENT_ROLES:
        remove_perm(f"registry.{ROLE_PERMISSIONS[role]}", user, department)
    else:
        user.groups.remove(district_group(role))
    audit.record(
        user,
        AuditAction.ROLE_REVOKED,
        actor=acting_user,
        department=department,
        before={"role": role.value, "department": getattr(department, "code", None)},
    )
