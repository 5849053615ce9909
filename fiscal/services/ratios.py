"""The debt ratio (债务率) and debt-service ratio (偿债率), derived from a report's stored
components with a versioned formula. A new formula is a new version here; every report
records the version it was computed with."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FOUR_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Formula:
    version: int
    debt_ratio: str
    debt_service_ratio: str
    basis: str


FORMULAS = {
    1: Formula(
        version=1,
        debt_ratio="债务率 = 债务余额合计 ÷ 综合财力 × 100%",
        debt_service_ratio="偿债率 = （偿还本金 + 支付利息）÷ 综合财力 × 100%",
        basis="《地方政府债务信息公开办法（试行）》（财预〔2018〕209号）；财政部地方政府债务风险评估指标口径",
    ),
}
CURRENT_VERSION = max(FORMULAS)


def percent(numerator, denominator):
    if not denominator:
        return None
    return (numerator * 100 / denominator).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


def apply_derived_figures(report, version=CURRENT_VERSION):
    """Compute the ratios and the over-limit flags of ``report`` with formula ``version``."""
    if any(
        getattr(report, f) is None
        for f in (
            "total_balance",
            "comprehensive_capacity",
            "principal_repaid",
            "interest_repaid",
            "general_balance",
            "general_limit",
            "special_balance",
            "special_limit",
        )
    ):
        return
    report.formula_version = FORMULAS[version].version
    report.debt_ratio = percent(report.total_balance, report.comprehensive_capacity)
    report.debt_service_ratio = percent(
        report.principal_repaid + report.interest_repaid, report.comprehensive_capacity
    )
    report.general_over_limit = report.general_balance > report.general_limit
    report.special_over_limit = report.special_balance > report.special_limit
