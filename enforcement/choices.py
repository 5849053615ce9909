"""Enumerations of the enforcement-disclosure registry (谁执法谁公示; 国办发〔2018〕118号;
《行政处罚法》)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PowerType(models.TextChoices):
    """The kinds of enforcement power in a powers list (权责清单)."""

    PENALTY = "penalty", _("行政处罚")
    LICENCE = "licence", _("行政许可")
    COERCIVE_MEASURE = "coercive_measure", _("行政强制")
    INSPECTION = "inspection", _("行政检查")
    LEVY = "levy", _("行政征收")
    PAYMENT = "payment", _("行政给付")
    CONFIRMATION = "confirmation", _("行政确认")
    REWARD = "reward", _("行政奖励")
    RULING = "ruling", _("行政裁决")
    OTHER = "other", _("其他行政权力")


class ActionKind(models.TextChoices):
    """The kinds of enforcement decision (执法决定) published after the fact."""

    PENALTY = "penalty", _("行政处罚")
    LICENCE = "licence", _("行政许可")
    INSPECTION = "inspection", _("行政检查")
    COERCIVE_MEASURE = "coercive_measure", _("行政强制")
    OTHER = "other", _("其他")


# Kinds whose decisions are due within 7 working days; all others within 20.
SEVEN_DAY_KINDS = (ActionKind.PENALTY, ActionKind.LICENCE)


class PartyKind(models.TextChoices):
    LEGAL_PERSON = "legal_person", _("法人及非法人组织")
    NATURAL_PERSON = "natural_person", _("自然人")
    INDIVIDUAL_BUSINESS = "individual_business", _("个体工商户")


class PenaltyType(models.TextChoices):
    """《行政处罚法》(2021) art. 9."""

    WARNING = "warning", _("警告")
    CIRCULATION = "circulation", _("通报批评")
    FINE = "fine", _("罚款")
    CONFISCATION = "confiscation", _("没收违法所得、没收非法财物")
    QUALIFICATION_DOWNGRADE = "qualification_downgrade", _("暂扣许可证件、降低资质等级")
    LICENCE_REVOCATION = "licence_revocation", _("吊销许可证件")
    ACTIVITY_RESTRICTION = (
        "activity_restriction",
        _("限制开展生产经营活动、责令停产停业、责令关闭、限制从业"),
    )
    DETENTION = "detention", _("行政拘留")
    OTHER = "other", _("法律、行政法规规定的其他行政处罚")


class Severity(models.TextChoices):
    """How grave the conduct is, which decides the display period (信用信息公示期)."""

    MINOR = "minor", _("轻微（警告、通报批评或较低数额罚款）")
    GENERAL = "general", _("一般失信行为")
    SERIOUS = "serious", _("严重失信行为")


class WithdrawalTrigger(models.TextChoices):
    CHANGED = "changed", _("决定被变更")
    REVOKED = "revoked", _("决定被撤销")
    CONFIRMED_UNLAWFUL = "confirmed_unlawful", _("决定被确认违法或无效")


class OfficerStatus(models.TextChoices):
    ACTIVE = "active", _("在岗")
    SUSPENDED = "suspended", _("暂停执法资格")
    REVOKED = "revoked", _("证件注销")


class InspectionOutcome(models.TextChoices):
    NO_PROBLEM = "no_problem", _("未发现问题")
    RECTIFY = "rectify", _("发现问题，责令整改")
    CASE_OPENED = "case_opened", _("发现问题，立案查处")
    NOT_FOUND = "not_found", _("未发现检查对象（查无下落）")
