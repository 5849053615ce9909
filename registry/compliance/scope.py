"""Who sees which records of the compliance detail and the reminders: what the permission
path (:func:`registry.permissions.restrict`) lets the reader view, of the departments whose
records the reader sees in full (:class:`registry.permissions.MemberScope`: every department
for oversight and superusers, their own for department staff, none for the public). The
counts are public and need no narrowing."""

from registry.choices import Action
from registry.permissions import MemberScope, restrict


class Narrowing:
    """Narrows querysets to what ``user`` may see in the detail; callable on a queryset."""

    def __init__(self, user, scope=None):
        self.user = user
        self.scope = scope or MemberScope(user)

    @property
    def sees_detail(self):
        """Whether any department's detail is visible at all (not for the public)."""
        return self.scope.everything or bool(self.scope.ids)

    def __call__(self, queryset):
        visible = restrict(queryset, self.user, Action.VIEW)
        if self.scope.everything:
            return visible
        path = queryset.model.permission_department_path
        return visible.filter(**{f"{path}__in": sorted(self.scope.ids)})


def unrestricted(queryset):
    """No narrowing: for the operator at the command line (``manage.py deadlines``) and the
    digest, which sends each department only its own items."""
    return queryset
