from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from decisions.choices import EvaluationTrigger, FindingSource, Rectification
from decisions.models.base import DecisionPart


class ImplementationUpdate(DecisionPart):
    """Progress in carrying out a decision (执行进展, seed 二(二)); ``summary`` holds the text."""

    progress_percent = models.PositiveSmallIntegerField(_("完成进度（%）"), null=True, blank=True)

    class Meta:
        verbose_name = _("执行进展")
        verbose_name_plural = _("执行进展")

    def clean(self):
        super().clean()
        if self.progress_percent is not None and self.progress_percent > 100:
            raise ValidationError({"progress_percent": _("完成进度不能超过100%。")})


class AuditFinding(DecisionPart):
    """A finding of an audit or inspection about a decision, with its rectification."""

    source = models.CharField(_("来源"), max_length=20, choices=FindingSource.choices)
    finding = models.TextField(_("发现的问题"))
    rectification_status = models.CharField(
        _("整改情况"), max_length=20, choices=Rectification.choices, default=Rectification.OPEN
    )
    rectification = models.TextField(_("整改措施和结果"), blank=True)

    class Meta:
        verbose_name = _("审计督查发现")
        verbose_name_plural = _("审计督查发现")


class AccountabilityResult(DecisionPart):
    """The result of holding someone accountable (问责) for a decision."""

    result = models.TextField(_("问责结果"))

    class Meta:
        verbose_name = _("问责情况")
        verbose_name_plural = _("问责情况")


class Evaluation(DecisionPart):
    """A post-decision evaluation (决策后评估, art. 36): its trigger, the evaluator — who must
    not be the body that assessed the decision beforehand — and the report."""

    trigger = models.CharField(_("评估启动情形"), max_length=20, choices=EvaluationTrigger.choices)
    evaluator = models.CharField(_("评估机构"), max_length=200)
    report = models.TextField(_("评估报告"))
    completed_on = models.DateField(_("评估完成日期"))

    class Meta:
        verbose_name = _("决策后评估")
        verbose_name_plural = _("决策后评估")

    def clean(self):
        super().clean()
        assessor = (self.decision.risk_assessor if self.decision_id else "").strip()
        if assessor and self.evaluator.strip().casefold() == assessor.casefold():
            raise ValidationError(
                {"evaluator": _("决策后评估不得由决策前的风险评估机构承担（第三十六条）。")}
            )
