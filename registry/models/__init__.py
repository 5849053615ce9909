"""Models of the registry core: departments and roles, the record base, audit chain,
working-day calendar and deadline rules."""

from registry.models.audit import AuditEntry
from registry.models.calendar import CalendarDay, CalendarYear
from registry.models.deadlines import DeadlineRule
from registry.models.departments import Department, DepartmentUserObjectPermission
from registry.models.exports import ExportManifest, PublicState
from registry.models.records import IndexNumberSequence, PublicRecord, RestrictedQuerySet

__all__ = [
    "AuditEntry",
    "CalendarDay",
    "CalendarYear",
    "DeadlineRule",
    "Department",
    "DepartmentUserObjectPermission",
    "ExportManifest",
    "IndexNumberSequence",
    "PublicRecord",
    "PublicState",
    "RestrictedQuerySet",
]
