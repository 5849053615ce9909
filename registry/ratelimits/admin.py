"""Admin of API keys, for superusers only. A new key is shown once, on the page that follows
the form (never stored, never put in a message or cookie); revoking is an action."""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from registry.ratelimits.keys import assign_secret, revoke_keys
from registry.ratelimits.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "organisation",
        "prefix",
        "rate",
        "is_active",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "organisation", "contact", "prefix"]
    fields = [
        "name",
        "organisation",
        "contact",
        "rate",
        "is_active",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False  # keys are revoked, not deleted: their history stays

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.revoked_at:
            return self.fields  # a revoked key stays revoked
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj._raw_key = assign_secret(obj)
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        response = TemplateResponse(
            request,
            "admin/ratelimits/apikey/created.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": _("接口密钥已创建"),
                "api_key": obj,
                "raw_key": obj._raw_key,
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("撤销所选接口密钥"))
    def revoke(self, request, queryset):
        count = revoke_keys(queryset)
        self.message_user(
            request, _("已撤销 %(count)d 个接口密钥。") % {"count": count}, messages.SUCCESS
        )
