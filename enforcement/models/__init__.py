"""Models of the enforcement-disclosure registry."""

from enforcement.models.actions import CreditRepair, EnforcementAction
from enforcement.models.bodies import EnforcementBody, EnforcementOfficer, EnforcementPower
from enforcement.models.display import DisplayRule
from enforcement.models.inspections import InspectionPlan, InspectionResult

__all__ = [
    "CreditRepair",
    "DisplayRule",
    "EnforcementAction",
    "EnforcementBody",
    "EnforcementOfficer",
    "EnforcementPower",
    "InspectionPlan",
    "InspectionResult",
]
