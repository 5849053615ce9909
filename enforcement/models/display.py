from django.db import models
from django.utils.translation import gettext_lazy as _

from enforcement.choices import PenaltyType, Severity


class DisplayRule(models.Model):
    """How long a penalty stays on public lists (公示期), by rule-set version, penalty type
    and severity. Credit repair may end the display after ``minimum_months``; without it the
    record leaves public lists after ``maximum_months``. Several penalty types: the longest
    applies."""

    version = models.PositiveIntegerField(_("规则版本"))
    effective_from = models.DateField(_("施行日期"))
    penalty_type = models.CharField(_("处罚种类"), max_length=30, choices=PenaltyType.choices)
    severity = models.CharField(_("失信程度"), max_length=20, choices=Severity.choices)
    minimum_months = models.PositiveSmallIntegerField(_("最短公示期（月）"))
    maximum_months = models.PositiveSmallIntegerField(_("最长公示期（月）"))
    legal_basis = models.CharField(_("依据"), max_length=300)

    class Meta:
        verbose_name = _("公示期规则")
        verbose_name_plural = _("公示期规则")
        ordering = ["-version", "penalty_type", "severity"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "penalty_type", "severity"], name="unique_display_rule"
            )
        ]

    def __str__(self):
        return f"v{self.version} {self.penalty_type}/{self.severity}: {self.maximum_months}"
