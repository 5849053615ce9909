"""Admin of webhook subscriptions (superusers only) and their read-only delivery log."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from registry import record_types
from registry.webhooks import services
from registry.webhooks.choices import event_type_choices
from registry.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """Pages only superusers see; everyone else gets 403 (staff) or the login page."""

    def _superuser(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._superuser(request)

    def has_view_permission(self, request, obj=None):
        return self._superuser(request)

    def has_add_permission(self, request, *args):
        return self._superuser(request)

    def has_change_permission(self, request, obj=None):
        return self._superuser(request)

    def has_delete_permission(self, request, obj=None):
        return self._superuser(request)


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("接收地址"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label=_("事件类型"),
        choices=event_type_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则接收全部公开事件。"),
    )
    resources = forms.MultipleChoiceField(
        label=_("资源"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则接收全部资源。"),
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "is_active", "event_types", "resources", "departments"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        prefixes = sorted(record_type.prefix for record_type in record_types.registered())
        self.fields["resources"].choices = [(prefix, prefix) for prefix in prefixes]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(SuperuserOnlyAdmin):
    form = SubscriptionForm
    list_display = ["name", "url", "is_active", "last_dispatched_seq", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    filter_horizontal = ["departments"]
    readonly_fields = ["secret", "last_dispatched_seq", "created_at"]
    fieldsets = [
        (None, {"fields": ["name", "url", "is_active", "secret"]}),
        (_("过滤条件（不选则不限）"), {"fields": ["event_types", "resources", "departments"]}),
        (_("分发进度"), {"fields": ["last_dispatched_seq", "created_at"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # the secret is generated when the subscription is saved
            return [(None, {"fields": ["name", "url", "is_active"]}), self.fieldsets[1]]
        return self.fieldsets

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            self.message_user(
                request,
                _("签名密钥：%(secret)s（配置到接收方，用于校验签名；也可在本页随时查看）")
                % {"secret": obj.secret},
                messages.WARNING,
            )


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = readonly_fields = ["attempted_at", "status_code", "error", "duration_ms"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(SuperuserOnlyAdmin):
    """The delivery log: read-only; failed deliveries can be queued again."""

    list_display = [
        "pk",
        "subscription",
        "seq",
        "event",
        "resource",
        "object_id",
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "subscription", "event"]
    list_select_related = ["subscription"]
    search_fields = ["=seq", "=object_id"]
    inlines = [AttemptInline]
    actions = ["redeliver"]
    readonly_fields = [
        "subscription",
        "seq",
        "event",
        "resource",
        "object_id",
        "status",
        "attempts",
        "next_attempt_at",
        "delivered_at",
        "created_at",
        "body",
    ]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("重新投递所选的失败推送"), permissions=["redeliver"])
    def redeliver(self, request, queryset):
        selected = queryset.count()
        count = services.redeliver(queryset)
        skipped = selected - count
        self.message_user(
            request,
            _("已重新排队 %(count)d 条推送；%(skipped)d 条不是失败状态，未处理。")
            % {"count": count, "skipped": skipped},
        )

    def has_redeliver_permission(self, request):
        return self._superuser(request)
