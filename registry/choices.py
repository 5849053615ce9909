"""Enumerations of the registry core. Labels are Chinese (what clerks and the public read);
the English translation lives in ``locale/en``."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    DISTRICT_OFFICE = "district_office", _("区政府办公室")
    DEPARTMENT = "department", _("区政府部门")
    TOWN_OR_STREET = "town_or_street", _("镇街")


class Role(models.TextChoices):
    """Roles a user can hold. The first three are granted per department."""

    EDITOR = "editor", _("录入员")
    PUBLISHER = "publisher", _("发布员")
    DEPARTMENT_ADMIN = "department_admin", _("部门管理员")
    OVERSIGHT = "oversight", _("监督人员")
    LEGALITY_REVIEWER = "legality_reviewer", _("合法性审查人员")


DEPARTMENT_ROLES = (Role.EDITOR, Role.PUBLISHER, Role.DEPARTMENT_ADMIN)
DISTRICT_ROLES = (Role.OVERSIGHT, Role.LEGALITY_REVIEWER)


class Action(models.TextChoices):
    """What a user wants to do with a record; the permission path answers per action."""

    VIEW = "view", _("查看")
    CHANGE = "change", _("录入和修改")
    PUBLISH = "publish", _("发布和撤回")
    MANAGE = "manage", _("管理部门成员")


class RecordStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PENDING_REVIEW = "pending_review", _("待审核")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


class WithheldGround(models.TextChoices):
    """Grounds for not disclosing government information (《政府信息公开条例》 art. 14–16)."""

    STATE_SECRET = "state_secret", _("国家秘密（第十四条）")
    PROHIBITED_BY_LAW = "prohibited_by_law", _("法律、行政法规禁止公开（第十四条）")
    SECURITY_STABILITY = (
        "security_stability",
        _("危及国家安全、公共安全、经济安全、社会稳定（第十四条）"),
    )
    THIRD_PARTY_RIGHTS = "third_party_rights", _("商业秘密、个人隐私等第三方合法权益（第十五条）")
    INTERNAL_AFFAIRS = "internal_affairs", _("内部事务信息（第十六条第一款）")
    PROCESS_INFORMATION = "process_information", _("过程性信息（第十六条第二款）")


class AuditAction(models.TextChoices):
    CREATED = "created", _("创建")
    UPDATED = "updated", _("修改")
    SUBMITTED = "submitted", _("提交审核")
    PUBLISHED = "published", _("发布")
    AMENDED = "amended", _("更正")
    WITHDRAWN = "withdrawn", _("撤回")
    STAGE_CHANGED = "stage_changed", _("程序阶段变更")
    DISPLAY_ENDED = "display_ended", _("公示期届满")
    REFRESHED = "refreshed", _("公开内容更新")
    ROLE_GRANTED = "role_granted", _("授予角色")
    ROLE_REVOKED = "role_revoked", _("撤销角色")


PUBLIC_AUDIT_ACTIONS = (
    AuditAction.PUBLISHED,
    AuditAction.AMENDED,
    AuditAction.WITHDRAWN,
    AuditAction.STAGE_CHANGED,
    AuditAction.DISPLAY_ENDED,
    AuditAction.REFRESHED,
)


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("法定节假日（休息）")
    WORKDAY = "workday", _("调休上班日")


class DeadlineUnit(models.TextChoices):
    CALENDAR_DAYS = "calendar_days", _("自然日")
    WORKING_DAYS = "working_days", _("工作日")


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV（UTF-8）")
    NDJSON = "ndjson", _("NDJSON（每行一个 JSON 对象）")
    XLSX = "xlsx", _("Excel 工作簿（XLSX）")


class ExportKind(models.TextChoices):
    RESOURCE = "resource", _("资源导出")
    CHANGES = "changes", _("变更流导出")
    SNAPSHOT = "snapshot", _("全量快照")


class ExportStatus(models.TextChoices):
    STREAMING = "streaming", _("生成中")
    COMPLETE = "complete", _("已完成")
    ABORTED = "aborted", _("已中断")


class FeedState(models.TextChoices):
    """What a change-feed event shows of its record."""

    PRESENT = "present", _("公开")
    TOMBSTONE = "tombstone", _("已撤回")
    REMOVED = "removed", _("已不再公开")
