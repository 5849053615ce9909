"""The one permission path. Every surface (REST, GraphQL, admin, exports, feeds) asks
:func:`restrict` which records a user may see or act on; nothing else decides.

Roles are django-guardian object permissions on :class:`~registry.models.Department`
(direct foreign-key table), so a check is one indexed join from a record to its department.
District-wide roles (oversight, legality review) are global permissions held through groups.
"""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.choices import Action, Role

# Codenames of the per-department permissions each role holds.
ROLE_PERMISSIONS = {
    Role.EDITOR: "edit_records",
    Role.PUBLISHER: "publish_records",
    Role.DEPARTMENT_ADMIN: "manage_members",
}
# District-wide roles: group name -> global permission codename.
DISTRICT_PERMISSIONS = {
    Role.OVERSIGHT: "oversee_all",
    Role.LEGALITY_REVIEWER: "review_legality",
}
# Which department permissions allow an action.
ACTION_PERMISSIONS = {
    Action.VIEW: tuple(ROLE_PERMISSIONS.values()),
    Action.CHANGE: ("edit_records",),
    Action.PUBLISH: ("publish_records",),
    Action.MANAGE: ("manage_members",),
}


def department_ids(user, action):
    """A subquery of the ids of departments on which ``user`` may perform ``action``."""
    return _roles_of(user.pk, action).values("content_object_id")


def _roles_of(user_id, action):
    """The department permissions of ``user_id`` (or a reference to one, ``OuterRef``) that
    allow ``action``."""
    from registry.models import DepartmentUserObjectPermission

    return DepartmentUserObjectPermission.objects.filter(
        user_id=user_id,
        permission__content_type__app_label="registry",
        permission__codename__in=ACTION_PERMISSIONS[Action(action)],
    )


# Attribute of a user holding the departments it sees in full (code -> id), when they were
# read together with the user (see access_columns).
VIEW_DEPARTMENTS = "_registry_view_departments"


def access_columns(user_id):
    """What the permission path needs to know of the user ``user_id`` (an ``OuterRef``),
    as columns to read together with the user: its global permissions (``app.codename``,
    directly and through groups) and the departments it sees in full. Apply them with
    :func:`remember_access`, and no permission query is needed during the request."""
    from django.contrib.postgres.expressions import ArraySubquery
    from django.db.models import CharField, Value
    from django.db.models.functions import Cast, Concat

    def named(permissions):
        return ArraySubquery(
            permissions.annotate(
                qualified=Concat(
                    "content_type__app_label", Value("."), "codename", output_field=CharField()
                )
            ).values("qualified")
        )

    # "<id> <code>" (codes are slugs).
    department = Concat(
        Cast("content_object_id", CharField()),
        Value(" "),
        "content_object__code",
        output_field=CharField(),
    )
    return {
        "user_permissions_": named(Permission.objects.filter(user=user_id)),
        "group_permissions_": named(Permission.objects.filter(group__user=user_id)),
        "view_departments_": ArraySubquery(
            _roles_of(user_id, Action.VIEW).annotate(department=department).values("department")
        ),
    }


def remember_access(user, user_permissions, group_permissions, view_departments):
    """Keeps on ``user`` what :func:`access_columns` read, where Django's permission
    backend and :class:`MemberScope` look for it (a superuser's global permissions are
    every permission: Django reads those itself)."""
    if not user.is_superuser:
        user._user_perm_cache = set(user_permissions)
        user._group_perm_cache = set(group_permissions)
        user._perm_cache = user._user_perm_cache | user._group_perm_cache
    departments = {}
    for pair in view_departments:
        pk, code = pair.split(" ")
        departments[code] = int(pk)
    setattr(user, VIEW_DEPARTMENTS, departments)


def is_oversight(user):
    return user.is_authenticated and user.has_perm("registry.oversee_all")


def is_legality_reviewer(user):
    return user.is_authenticated and user.has_perm("registry.review_legality")


def restrict(queryset, user, action=Action.VIEW, departments=None):
    """``queryset`` narrowed to what ``user`` may do ``action`` on.

    Anonymous users see public records only and may do nothing else. Members of a
    department see its drafts and act within their roles; oversight reads everything and
    writes nothing; superusers may do everything. A model may widen what district-wide roles
    see with a classmethod ``district_scope_q(user)`` (e.g. legality reviewers see the
    decisions sent to them for review), and name in ``also_restricted_by`` the relations
    whose far end must be visible too (a link between two records).

    ``departments``: the ids of the departments a list's filter limits ``queryset`` to along
    the permission path, when known (see ``registry.api.filters.requested_departments``).
    When the user sees each of them in full, their rows are what it sees, and the query
    narrows to them without the public condition: planning ``public OR in scope`` took
    about three times as long as the page of a department's own list.
    """
    model = queryset.model
    action = Action(action)
    if action == Action.VIEW:
        # Links between records (e.g. a bond funding a project) are visible only to who
        # may see both ends.
        for relation in getattr(model, "also_restricted_by", ()):
            related = model._meta.get_field(relation).related_model
            visible = restrict(related._default_manager.all(), user, Action.VIEW)
            queryset = queryset.filter(**{f"{relation}__in": visible.values("pk")})
    if user.is_superuser:
        return queryset
    path = model.permission_department_path
    in_scope = Q(**{f"{path}__in": _scope_of(user, action)})
    if action == Action.VIEW:
        public = model.public_q()
        if not public:  # an empty condition: everything of this model is public
            return queryset
        if not user.is_authenticated:
            return queryset.filter(public)
        if is_oversight(user):
            return queryset
        if departments is not None and set(departments) <= (known_scope(user) or frozenset()):
            return queryset.filter(**{f"{path}__in": sorted(departments)})
        district = getattr(model, "district_scope_q", None)
        extra = district(user) if district else None
        if extra is not None:
            return queryset.filter(public | in_scope | extra)
        return queryset.filter(public | in_scope)
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(in_scope)


def known_scope(user):
    """The ids of the departments ``user`` sees in full when they were read with it (see
    :func:`remember_access`), else None."""
    departments = getattr(user, VIEW_DEPARTMENTS, None)
    return None if departments is None else frozenset(departments.values())


def _scope_of(user, action):
    """The departments of ``user``'s roles allowing ``action``: the ids themselves when they
    were read with the user (viewing), else a subquery. The ids spare PostgreSQL planning a
    join of three permission tables on every page."""
    known = known_scope(user) if action == Action.VIEW else None
    return department_ids(user, action) if known is None else sorted(known)


def can(user, action, obj):
    """Whether ``user`` may do ``action`` on ``obj`` (one query)."""
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def ensure_in_scope(obj, user, action=Action.CHANGE):
    """After a write: refuse (and so roll back) if ``obj`` left the writer's scope,
    e.g. a record moved to a department the writer does not belong to."""
    if not can(user, action, obj):
        raise PermissionDenied(_("保存后的记录不在您的权限范围内。"))


def district_group(role):
    """The group that carries a district-wide role, with its permission."""
    group, _created = Group.objects.get_or_create(name=Role(role).value)
    permission = Permission.objects.get(
        content_type__app_label="registry", codename=DISTRICT_PERMISSIONS[Role(role)]
    )
    group.permissions.add(permission)
    return group


class MemberScope:
    """The departments whose records ``user`` sees in full (unredacted, drafts included):
    every department for oversight and superusers, the departments of their roles for
    department staff, none for the public. ``departments`` maps their codes to their ids
    (empty for oversight and superusers, who see everything). Evaluated once (one query, or
    none when read with the user's token) per request."""

    def __init__(self, user):
        self.everything = user.is_superuser or is_oversight(user)
        self.legality_reviewer = is_legality_reviewer(user)
        if self.everything or not user.is_authenticated:
            self.departments = {}
        elif hasattr(user, VIEW_DEPARTMENTS):
            self.departments = getattr(user, VIEW_DEPARTMENTS)
        else:
            self.departments = dict(
                _roles_of(user.pk, Action.VIEW).values_list(
                    "content_object__code", "content_object_id"
                )
            )
        self.ids = frozenset(self.departments.values())

    def covers(self, department_id):
        return self.everything or department_id in self.ids


def member_scope(request):
    """The :class:`MemberScope` of the request's user, cached on the request."""
    scope = getattr(request, "_member_scope", None)
    if scope is None:
        scope = request._member_scope = MemberScope(request.user)
    return scope
