"""Enumerations of the major-decision registry (《重大行政决策程序暂行条例》)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DecisionCategory(models.TextChoices):
    """Art. 3: the kinds of matters that are major administrative decisions."""

    PUBLIC_POLICY = "public_policy", _("重大公共政策和措施")
    PLAN = "plan", _("重要规划")
    RESOURCES_POLICY = "resources_policy", _("重大资源开发利用和公共资源配置政策")
    PUBLIC_PROJECT = "public_project", _("重大公共建设项目")
    OTHER = "other", _("其他重大事项")


class Stage(models.TextChoices):
    PLANNED = "planned", _("列入目录")
    DRAFTING = "drafting", _("起草")
    CONSULTATION = "consultation", _("公开征求意见")
    LEGALITY_REVIEW = "legality_review", _("合法性审查")
    DELIBERATION = "deliberation", _("集体讨论")
    DECIDED = "decided", _("已决定")
    IMPLEMENTING = "implementing", _("执行中")
    EVALUATED = "evaluated", _("已评估")
    SUSPENDED = "suspended", _("中止执行")
    WITHDRAWN = "withdrawn", _("调出目录")


class Confidentiality(models.TextChoices):
    NONE = "none", _("公开")
    DRAFT_WITHHELD = "draft_withheld", _("列入目录，草案和依据不予公开")
    FULLY_WITHHELD = "fully_withheld", _("依法保密，不公开")


class ConsultationDocumentType(models.TextChoices):
    """The kind of document consulted on; each has its own minimum period in the rule table."""

    MAJOR_DECISION = "major_decision", _("重大行政决策")
    NORMATIVE_DOCUMENT = "normative_document", _("行政规范性文件")


class Channel(models.TextChoices):
    ONLINE = "online", _("网络")
    LETTER = "letter", _("信函")
    EMAIL = "email", _("电子邮件")
    SYMPOSIUM = "symposium", _("座谈会")
    HEARING = "hearing", _("听证会")


class CommentStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    PUBLISHED = "published", _("已公开")
    REJECTED = "rejected", _("未采用展示")


class RejectionReason(models.TextChoices):
    SPAM = "spam", _("垃圾信息")
    ABUSIVE = "abusive", _("辱骂攻击")
    OFF_TOPIC = "off_topic", _("与主题无关")
    DUPLICATE = "duplicate", _("重复提交")


class Adoption(models.TextChoices):
    ADOPTED = "adopted", _("采纳")
    PARTLY_ADOPTED = "partly_adopted", _("部分采纳")
    NOT_ADOPTED = "not_adopted", _("未采纳")


class DocumentKind(models.TextChoices):
    DRAFT = "draft", _("决策草案")
    EXPLANATION = "explanation", _("起草说明")
    BASIS = "basis", _("决策依据")
    FINAL_TEXT = "final_text", _("决策文本")
    OTHER = "other", _("其他材料")


# Pre-publication material (预公开) that ``draft_withheld`` keeps from the public.
PRE_PUBLICATION_KINDS = (DocumentKind.DRAFT, DocumentKind.EXPLANATION, DocumentKind.BASIS)


class LegalityResult(models.TextChoices):
    LAWFUL = "lawful", _("合法")
    LAWFUL_WITH_RISK = "lawful_with_risk", _("合法，但存在风险并已提示")
    UNLAWFUL = "unlawful", _("不合法，需修改")


LAWFUL_RESULTS = (LegalityResult.LAWFUL, LegalityResult.LAWFUL_WITH_RISK)


class FindingSource(models.TextChoices):
    AUDIT = "audit", _("审计")
    INSPECTION = "inspection", _("督查")


class Rectification(models.TextChoices):
    OPEN = "open", _("未整改")
    IN_PROGRESS = "in_progress", _("整改中")
    RECTIFIED = "rectified", _("已整改")


class EvaluationTrigger(models.TextChoices):
    """Art. 36: when a post-decision evaluation is organised."""

    PUBLIC_CONCERN = "public_concern", _("实施后明显未达到预期效果")
    OBJECTIONS = "objections", _("公民、法人或者其他组织提出较多意见")
    SCHEDULED = "scheduled", _("决策机关认为有必要")
