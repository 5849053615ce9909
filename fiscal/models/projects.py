from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from fiscal.choices import (
    INDICATOR_LEVEL_OF_KIND,
    FundingSource,
    IndicatorKind,
    IndicatorLevel,
    ProjectCategory,
)
from registry.exceptions import TransitionError
from registry.models import PublicRecord, RestrictedQuerySet
from registry.models.text import PlainTextModel
from registry.querying import prefix_q

MONEY = {"max_digits": 18, "decimal_places": 2}


class DisclosureThreshold(models.Model):
    """From which total investment a government investment project's text and performance
    targets must be public, per project category (seed 一(四): 50万元 or more; 30万元 or more
    for schools and hospitals). Versioned: the version in force on the project's date
    applies."""

    version = models.PositiveIntegerField(_("规则版本"))
    effective_from = models.DateField(_("施行日期"))
    category = models.CharField(_("项目类别"), max_length=20, choices=ProjectCategory.choices)
    minimum_amount = models.DecimalField(_("公开起点金额（元）"), **MONEY)
    legal_basis = models.CharField(_("依据"), max_length=300)

    class Meta:
        verbose_name = _("项目公开起点")
        verbose_name_plural = _("项目公开起点")
        ordering = ["-version", "category"]
        constraints = [
            models.UniqueConstraint(fields=["version", "category"], name="unique_threshold")
        ]

    def __str__(self):
        return f"v{self.version} {self.category} ≥ {self.minimum_amount}"


class InvestmentProject(PublicRecord):
    """A government investment project (政府投资项目): ``name`` is the project's name and
    ``summary`` its project text (项目文本). ``disclosure_required`` is computed from the
    threshold table, never typed in."""

    project_code = models.CharField(_("项目代码"), max_length=60, unique=True)
    category = models.CharField(_("项目类别"), max_length=20, choices=ProjectCategory.choices)
    year = models.PositiveSmallIntegerField(_("计划年度"))
    total_investment = models.DecimalField(_("总投资（元）"), **MONEY)
    project_text = models.TextField(_("项目文本"), blank=True)
    disclosure_required = models.BooleanField(_("须公开"), default=False, editable=False)
    disclosure_rule = models.CharField(_("公开起点规则"), max_length=100, editable=False)

    amend_forbidden_fields = ("department", "project_code")
    computed_fields = {
        **PublicRecord.computed_fields,
        "disclosure_required": _("总投资不低于适用的公开起点金额"),
    }

    # A bond lists the projects it funds that the reader may see.
    public_dependents = (("fiscal.Bond", "allocations__project"),)

    class Meta:
        verbose_name = _("政府投资项目")
        verbose_name_plural = _("政府投资项目")
        indexes = [
            models.Index(fields=["department", "-id"], name="project_department_idx"),
            models.Index(fields=["disclosure_required", "status"], name="project_disclosure_idx"),
        ]

    def clean(self):
        super().clean()
        from fiscal.services.thresholds import apply_threshold

        if self.total_investment is not None and self.total_investment < 0:
            raise ValidationError({"total_investment": _("总投资不能为负数。")})
        apply_threshold(self)

    def check_publishable(self):
        """A project that must be disclosed is published with its text and its targets."""
        if not self.disclosure_required:
            return
        missing = []
        if not self.project_text.strip():
            missing.append(str(_("项目文本")))
        levels = set(self.targets.values_list("level", flat=True))
        missing += [str(level.label) for level in IndicatorLevel if level not in levels]
        if missing:
            raise TransitionError(
                _("须公开的项目发布前须具备：%(missing)s。") % {"missing": "、".join(missing)},
                code="incomplete",
            )
        funded = sum(self.funding.values_list("amount", flat=True))
        if funded != self.total_investment:
            raise TransitionError(
                _("资金来源合计（%(funded)s 元）与总投资（%(total)s 元）不一致。")
                % {"funded": funded, "total": self.total_investment},
                code="funding_mismatch",
            )


class ProjectChild(PlainTextModel):
    """Base of the parts of a project shown with it (targets, funding lines)."""

    # CASCADE: the parts are the project's own content; published projects are never
    # deleted (records PROTECT their department and are withdrawn, not deleted).
    project = models.ForeignKey(
        InvestmentProject,
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="%(class)ss",
    )

    objects = RestrictedQuerySet.as_manager()
    permission_department_path = "project__department"

    class Meta:
        abstract = True

    @classmethod
    def public_q(cls):
        return prefix_q(InvestmentProject.public_q(), "project")


class PerformanceTarget(ProjectChild):
    """A performance target (绩效目标): second-level kind (its first level follows),
    indicator, target value and unit."""

    project = models.ForeignKey(
        InvestmentProject,
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="targets",
    )
    level = models.CharField(
        _("一级指标"), max_length=20, choices=IndicatorLevel.choices, editable=False
    )
    kind = models.CharField(_("二级指标"), max_length=30, choices=IndicatorKind.choices)
    indicator = models.CharField(_("三级指标"), max_length=200)
    target_value = models.CharField(_("指标值"), max_length=60)
    unit = models.CharField(_("计量单位"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("绩效目标")
        verbose_name_plural = _("绩效目标")
        ordering = ["project", "level", "id"]

    def __str__(self):
        return f"{self.indicator}: {self.target_value}{self.unit}"

    def clean(self):
        self.level = INDICATOR_LEVEL_OF_KIND[IndicatorKind(self.kind)] if self.kind else ""


class FundingLine(ProjectChild):
    """One funding source of a project and its amount; the lines add up to the total."""

    project = models.ForeignKey(
        InvestmentProject,
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="funding",
    )
    source = models.CharField(_("资金来源"), max_length=30, choices=FundingSource.choices)
    amount = models.DecimalField(_("金额（元）"), **MONEY)

    class Meta:
        verbose_name = _("资金来源")
        verbose_name_plural = _("资金来源")
        ordering = ["project", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "source"], name="unique_funding_source")
        ]

    def __str__(self):
        return f"{self.get_source_display()} {self.amount}"

    def clean(self):
        if self.amount is not None and self.amount <= 0:
            raise ValidationError({"amount": _("金额必须大于零。")})


class ProjectPart(PublicRecord):
    """A published record about a project (progress, self-evaluation)."""

    # PROTECT: progress reports and evaluations are part of the project's public history.
    project = models.ForeignKey(
        InvestmentProject,
        verbose_name=_("项目"),
        on_delete=models.PROTECT,
        related_name="%(class)ss",
    )

    owner_field = "project"
    amend_forbidden_fields = ("department", "project")

    class Meta:
        abstract = True


class ProjectProgress(ProjectPart):
    """A progress update of a project (``summary`` is the text)."""

    progress_percent = models.PositiveSmallIntegerField(_("形象进度（%）"))
    amount_spent = models.DecimalField(_("累计完成投资（元）"), **MONEY)

    class Meta:
        verbose_name = _("项目进展")
        verbose_name_plural = _("项目进展")

    def clean(self):
        super().clean()
        if self.progress_percent is not None and self.progress_percent > 100:
            raise ValidationError({"progress_percent": _("形象进度不能超过100%。")})


class SelfEvaluation(ProjectPart):
    """The year-end performance self-evaluation (绩效自评) of a project: ``summary`` is the
    conclusion; ``results`` holds each target's actual value."""

    evaluation_year = models.PositiveSmallIntegerField(_("评价年度"))
    score = models.DecimalField(_("自评得分"), max_digits=5, decimal_places=2)
    results = models.JSONField(
        _("指标完成情况"),
        default=list,
        help_text=_("列表，每项含 target（目标 id）和 actual（实际值）"),
    )

    class Meta:
        verbose_name = _("绩效自评")
        verbose_name_plural = _("绩效自评")

    def clean(self):
        super().clean()
        if self.score is not None and not 0 <= self.score <= 100:
            raise ValidationError({"score": _("自评得分应在0至100之间。")})
