"""Admin pages of the enforcement registry, scoped through the one permission path.
Derived dates and the draw are read-only: services compute them."""

from django.contrib import admin

from enforcement import models
from registry.admin import RECORD_READONLY, RestrictedAdmin
from registry.admin import PublicRecordAdmin as RecordAdmin

for model_class in (
    models.EnforcementBody,
    models.EnforcementPower,
    models.EnforcementOfficer,
    models.InspectionResult,
):
    admin.site.register(model_class, RecordAdmin)


@admin.register(models.EnforcementAction)
class EnforcementActionAdmin(RecordAdmin):
    list_display = (
        "document_number",
        "party_name",
        "kind",
        "decision_date",
        "publication_due",
        "status",
        "display_until",
    )
    list_filter = ("kind", "status", "party_kind")
    search_fields = ("document_number", "party_name", "index_number")
    readonly_fields = (
        *RECORD_READONLY,
        "publication_due",
        "publication_rule",
        "publication_due_provisional",
        "calendar_version",
        "display_until",
        "display_rule",
        "repair_possible_from",
        "withdrawal_trigger",
        "withdrawal_trigger_date",
        "withdrawal_due",
    )


@admin.register(models.InspectionPlan)
class InspectionPlanAdmin(RecordAdmin):
    readonly_fields = (*RECORD_READONLY, "draw_seed", "drawn_at", "draw_algorithm", "selection")


@admin.register(models.DisplayRule)
class DisplayRuleAdmin(admin.ModelAdmin):
    list_display = (
        "version",
        "effective_from",
        "penalty_type",
        "severity",
        "minimum_months",
        "maximum_months",
        "legal_basis",
    )
    list_filter = ("version", "severity")


@admin.register(models.CreditRepair)
class CreditRepairAdmin(RestrictedAdmin):
    list_display = ("action", "decided_on", "decided_by", "document_number")
    readonly_fields = (
        "action",
        "decided_on",
        "decided_by",
        "document_number",
        "note",
        "recorded_by",
    )
