"""Models of the major-decision registry."""

from decisions.models.catalogue import Catalogue, CatalogueVersion
from decisions.models.consultation import AdoptionItem, AdoptionReport, Comment, Consultation
from decisions.models.decision import Decision, DecisionDocument
from decisions.models.execution import (
    AccountabilityResult,
    AuditFinding,
    Evaluation,
    ImplementationUpdate,
)
from decisions.models.procedure import ExpertOpinion, Hearing, LegalityReview

__all__ = [
    "AccountabilityResult",
    "AdoptionItem",
    "AdoptionReport",
    "AuditFinding",
    "Catalogue",
    "CatalogueVersion",
    "Comment",
    "Consultation",
    "Decision",
    "DecisionDocument",
    "Evaluation",
    "ExpertOpinion",
    "Hearing",
    "ImplementationUpdate",
    "LegalityReview",
]
