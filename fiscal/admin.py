"""Admin pages of the fiscal registry, scoped through the one permission path; derived
figures are read-only."""

from django.contrib import admin

from fiscal import models
from registry.admin import RECORD_READONLY
from registry.admin import PublicRecordAdmin as RecordAdmin


class TargetInline(admin.TabularInline):
    model = models.PerformanceTarget
    extra = 0
    readonly_fields = ("level",)


class FundingInline(admin.TabularInline):
    model = models.FundingLine
    extra = 0


@admin.register(models.InvestmentProject)
class InvestmentProjectAdmin(RecordAdmin):
    list_display = (
        "project_code",
        "name",
        "department",
        "category",
        "total_investment",
        "disclosure_required",
        "status",
    )
    list_filter = ("category", "disclosure_required", "status")
    readonly_fields = (*RECORD_READONLY, "disclosure_required", "disclosure_rule")
    inlines = [TargetInline, FundingInline]


@admin.register(models.DebtReport)
class DebtReportAdmin(RecordAdmin):
    list_display = (
        "year",
        "reporting_point",
        "total_limit",
        "total_balance",
        "debt_ratio",
        "debt_service_ratio",
        "status",
    )
    readonly_fields = (
        *RECORD_READONLY,
        "debt_ratio",
        "debt_service_ratio",
        "formula_version",
        "general_over_limit",
        "special_over_limit",
    )


@admin.register(models.Bond)
class BondAdmin(RecordAdmin):
    list_display = ("code", "name", "bond_type", "purpose", "amount", "issue_date", "status")


for model_class in (models.ProjectProgress, models.SelfEvaluation, models.BondDisclosure):
    admin.site.register(model_class, RecordAdmin)


@admin.register(models.DisclosureThreshold)
class DisclosureThresholdAdmin(admin.ModelAdmin):
    list_display = ("version", "effective_from", "category", "minimum_amount", "legal_basis")
