"""Admin pages for departments entering major-decision records; every page is scoped by the
one permission path (``RestrictedAdmin``). Publication and procedure steps go through the
API's service functions, so those fields are read-only here."""

from django.contrib import admin

from decisions import models
from registry.admin import RECORD_READONLY, RestrictedAdmin
from registry.admin import PublicRecordAdmin as RecordAdmin


@admin.register(models.Catalogue)
class CatalogueAdmin(RecordAdmin):
    list_display = ("year", "name", "status", "approval_date")


@admin.register(models.Decision)
class DecisionAdmin(RecordAdmin):
    list_display = (
        "index_number",
        "name",
        "department",
        "category",
        "stage",
        "status",
        "confidentiality",
    )
    list_filter = ("stage", "category", "confidentiality", "status")
    readonly_fields = (
        *RECORD_READONLY,
        "stage",
        "stage_reason",
        "prepublished_on",
        "decided_on",
        "document_number",
        "final_text",
        "adoption_explanation",
    )


@admin.register(models.Consultation)
class ConsultationAdmin(RecordAdmin):
    list_display = ("index_number", "name", "department", "opens_on", "closes_on", "status")
    readonly_fields = (*RECORD_READONLY, "minimum_closes_on", "minimum_rule", "extension_notice")


@admin.register(models.Comment)
class CommentAdmin(RestrictedAdmin):
    list_display = ("id", "consultation", "submitted_at", "status", "rejection_reason")
    list_filter = ("status",)
    readonly_fields = (
        "consultation",
        "content",
        "author_name",
        "contact",
        "submitted_at",
        "status",
        "rejection_reason",
        "moderated_at",
        "moderation_note",
    )


for model_class in (
    models.AdoptionReport,
    models.Hearing,
    models.ExpertOpinion,
    models.ImplementationUpdate,
    models.AuditFinding,
    models.AccountabilityResult,
    models.Evaluation,
):
    admin.site.register(model_class, RecordAdmin)


@admin.register(models.LegalityReview)
class LegalityReviewAdmin(RestrictedAdmin):
    list_display = ("decision", "started_on", "completed_on", "result", "working_days")
    readonly_fields = (
        "decision",
        "reviewer",
        "started_on",
        "minimum_completed_on",
        "completed_on",
        "result",
        "working_days",
    )


@admin.register(models.DecisionDocument)
class DecisionDocumentAdmin(RestrictedAdmin):
    list_display = ("decision", "kind", "version", "title", "size", "uploaded_at")
    readonly_fields = (
        "decision",
        "kind",
        "version",
        "title",
        "file",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
    )
