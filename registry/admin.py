"""Admin (zh-hans) for the registry core. Record admins of every registry derive from
:class:`RestrictedAdmin`, which asks the one permission path what a user may see and do."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from registry.choices import Action
from registry.models import (
    AuditEntry,
    CalendarDay,
    CalendarYear,
    DeadlineRule,
    Department,
    DepartmentUserObjectPermission,
)
from registry.permissions import can, is_oversight

admin.site.site_header = _("政务公开登记系统")
admin.site.site_title = _("政务公开登记系统")
admin.site.index_title = _("管理")


class RestrictedAdmin(admin.ModelAdmin):
    """Admin pages scoped through ``restrict``: users see what they may view, change what
    they may change. Publication state changes go through the workflow, not the form."""

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, Action.VIEW)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return request.user.is_superuser
        return can(request.user, Action.CHANGE, obj)

    def has_delete_permission(self, request, obj=None):
        return False


# Fields of the record base that only the workflow changes.
RECORD_READONLY = (
    "index_number",
    "status",
    "published_at",
    "revision",
    "amended_at",
    "withdrawn_at",
    "withdrawal_reason",
    "withdrawal_legal_basis",
)


class PublicRecordAdmin(RestrictedAdmin):
    """Admin of a record type: listed by index number, workflow fields read-only."""

    list_display = ("index_number", "name", "department", "status", "updated_at")
    list_filter = ("status",)
    search_fields = ("index_number", "name")
    readonly_fields = RECORD_READONLY
    list_select_related = ("department",)


class RoleGrantInline(admin.TabularInline):
    model = DepartmentUserObjectPermission
    extra = 0
    autocomplete_fields = ["user"]
    verbose_name = _("角色授权")
    verbose_name_plural = _("角色授权（录入员、发布员、部门管理员）")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "permission":
            from django.contrib.auth.models import Permission

            from registry.permissions import ROLE_PERMISSIONS

            kwargs["queryset"] = Permission.objects.filter(
                content_type__app_label="registry", codename__in=ROLE_PERMISSIONS.values()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _may_manage(self, request, obj):
        return obj is not None and can(request.user, Action.MANAGE, obj)

    def has_view_permission(self, request, obj=None):
        return self._may_manage(request, obj) or is_oversight(request.user)

    def has_add_permission(self, request, obj=None):
        return self._may_manage(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_manage(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_manage(request, obj)


@admin.register(Department)
class DepartmentAdmin(RestrictedAdmin):
    list_display = ["code", "name_zh", "name_en", "kind", "parent", "uscc"]
    list_filter = ["kind"]
    search_fields = ["code", "name_zh", "name_en"]
    inlines = [RoleGrantInline]

    def has_change_permission(self, request, obj=None):
        # Department administrators manage their members through the inline.
        if obj is None:
            return request.user.is_superuser
        return request.user.is_superuser or can(request.user, Action.MANAGE, obj)

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return []
        return ["code", "name_zh", "name_en", "kind", "parent", "uscc"]


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 1


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """Operators add years beyond the ``chinesecalendar`` data here, citing the State
    Council notice as the source."""

    list_display = ["year", "source", "version"]
    inlines = [CalendarDayInline]


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "amount", "unit", "start_event", "legal_basis", "version"]


@admin.register(AuditEntry)
class AuditEntryAdmin(RestrictedAdmin):
    """The change log is read-only for everyone, superusers included."""

    list_display = ["seq", "created_at", "actor_username", "action", "object_repr", "request_id"]
    list_filter = ["action", "is_public"]
    search_fields = ["object_repr", "actor_username", "request_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
