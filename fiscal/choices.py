"""Enumerations of the fiscal and debt registry (seed 一(四); 财预〔2018〕209号)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectCategory(models.TextChoices):
    SCHOOL = "school", _("学校")
    HOSPITAL = "hospital", _("医院")
    OTHER = "other", _("其他")


class FundingSource(models.TextChoices):
    GENERAL_BUDGET = "general_budget", _("一般公共预算")
    FUND_BUDGET = "fund_budget", _("政府性基金预算")
    SPECIAL_BOND = "special_bond", _("专项债券")
    GENERAL_BOND = "general_bond", _("一般债券")
    HIGHER_TRANSFER = "higher_transfer", _("上级补助")
    SELF_RAISED = "self_raised", _("单位自筹")
    OTHER = "other", _("其他")


class IndicatorLevel(models.TextChoices):
    """First-level performance indicators (一级指标)."""

    OUTPUT = "output", _("产出指标")
    BENEFIT = "benefit", _("效益指标")
    SATISFACTION = "satisfaction", _("满意度指标")


class IndicatorKind(models.TextChoices):
    """Second-level performance indicators (二级指标), each under one first level."""

    QUANTITY = "quantity", _("数量指标")
    QUALITY = "quality", _("质量指标")
    TIMELINESS = "timeliness", _("时效指标")
    COST = "cost", _("成本指标")
    ECONOMIC = "economic", _("经济效益指标")
    SOCIAL = "social", _("社会效益指标")
    ECOLOGICAL = "ecological", _("生态效益指标")
    SUSTAINABILITY = "sustainability", _("可持续影响指标")
    SERVICE_USER_SATISFACTION = "service_user_satisfaction", _("服务对象满意度指标")


INDICATOR_LEVEL_OF_KIND = {
    IndicatorKind.QUANTITY: IndicatorLevel.OUTPUT,
    IndicatorKind.QUALITY: IndicatorLevel.OUTPUT,
    IndicatorKind.TIMELINESS: IndicatorLevel.OUTPUT,
    IndicatorKind.COST: IndicatorLevel.OUTPUT,
    IndicatorKind.ECONOMIC: IndicatorLevel.BENEFIT,
    IndicatorKind.SOCIAL: IndicatorLevel.BENEFIT,
    IndicatorKind.ECOLOGICAL: IndicatorLevel.BENEFIT,
    IndicatorKind.SUSTAINABILITY: IndicatorLevel.BENEFIT,
    IndicatorKind.SERVICE_USER_SATISFACTION: IndicatorLevel.SATISFACTION,
}


class ReportingPoint(models.TextChoices):
    BUDGET = "budget", _("预算")
    MID_YEAR_ADJUSTMENT = "mid_year_adjustment", _("预算调整")
    FINAL_ACCOUNTS = "final_accounts", _("决算")


class BondType(models.TextChoices):
    GENERAL = "general", _("一般债券")
    SPECIAL = "special", _("专项债券")


class BondPurpose(models.TextChoices):
    NEW = "new", _("新增债券")
    REFINANCING = "refinancing", _("再融资债券")
    REPLACEMENT = "replacement", _("置换债券")


class DisclosureKind(models.TextChoices):
    """During-life disclosures of a bond (存续期信息公开)."""

    PAYMENT = "payment", _("还本付息情况")
    PROJECT_PROGRESS = "project_progress", _("项目建设和运营情况")
    CHANGE_OF_USE = "change_of_use", _("债券资金用途调整")
    MAJOR_EVENT = "major_event", _("重大事项")
    ANNUAL = "annual", _("年度存续期信息")
