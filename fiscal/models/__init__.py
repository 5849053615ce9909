"""Models of the fiscal and debt registry."""

from fiscal.models.bonds import Bond, BondDisclosure, BondProject
from fiscal.models.debt import DebtReport
from fiscal.models.projects import (
    DisclosureThreshold,
    FundingLine,
    InvestmentProject,
    PerformanceTarget,
    ProjectProgress,
    SelfEvaluation,
)

__all__ = [
    "Bond",
    "BondDisclosure",
    "BondProject",
    "DebtReport",
    "DisclosureThreshold",
    "FundingLine",
    "InvestmentProject",
    "PerformanceTarget",
    "ProjectProgress",
    "SelfEvaluation",
]
