from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase

from registry.choices import DepartmentKind
from registry.models.records import RestrictedQuerySet
from registry.models.text import PlainTextModel
from registry.validators import validate_uscc


class Department(PlainTextModel):
    """A body of the district government that owns and publishes records
    (区政府办公室, a department of the district government, or a town or street office).

    Roles are granted on departments, never on single records: a record is reached through
    its department, so every permission check is one indexed join.
    """

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name_zh = models.CharField(_("中文名称"), max_length=100, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=DepartmentKind.choices)
    # PROTECT: a parent department cannot disappear while bodies below it exist.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    uscc = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_uscc],
    )

    objects = RestrictedQuerySet.as_manager()

    # Departments themselves are public; the permission path reaches them through ``pk``.
    permission_department_path = "pk"

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["code"]
        permissions = [
            ("edit_records", _("录入和修改本部门记录")),
            ("publish_records", _("发布和撤回本部门记录")),
            ("manage_members", _("管理本部门成员")),
            ("oversee_all", _("查看全区所有记录（监督）")),
            ("review_legality", _("开展合法性审查")),
        ]

    def __str__(self):
        return self.name_zh

    @classmethod
    def public_q(cls):
        return models.Q()


class DepartmentUserObjectPermission(UserObjectPermissionBase):
    """A role held by a user on one department (django-guardian direct foreign-key table)."""

    # CASCADE: a deleted department takes its role grants with it (departments with records
    # cannot be deleted: records PROTECT them).
    content_object = models.ForeignKey(Department, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("部门角色授权")
        verbose_name_plural = _("部门角色授权")
