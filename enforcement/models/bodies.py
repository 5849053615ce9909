from django.db import models
from django.utils.translation import gettext_lazy as _

from enforcement.choices import OfficerStatus, PowerType
from registry.models import PublicRecord


class EnforcementBody(PublicRecord):
    """An enforcement body (执法主体) of a department, published before enforcement
    (事前公开) with its authority, jurisdiction and supervision channels (监督途径).
    ``name`` is the body's name."""

    legal_authority = models.TextField(_("执法依据（设立和职权依据）"))
    jurisdiction = models.TextField(_("管辖范围"))
    address = models.CharField(_("办公地址"), max_length=300)
    complaint_phone = models.CharField(_("投诉举报电话"), max_length=50)
    complaint_mailbox = models.CharField(_("投诉举报信箱或邮箱"), max_length=200, blank=True)
    complaint_address = models.CharField(_("投诉举报地址"), max_length=300, blank=True)
    supervisor = models.CharField(_("监督机关"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("执法主体")
        verbose_name_plural = _("执法主体")


class BodyPart(PublicRecord):
    """A record that belongs to an enforcement body and is disclosable while the body is."""

    # PROTECT: powers, officers and decisions are evidence of the body's enforcement.
    body = models.ForeignKey(
        EnforcementBody,
        verbose_name=_("执法主体"),
        on_delete=models.PROTECT,
        related_name="%(class)ss",
    )

    owner_field = "body"
    amend_forbidden_fields = ("department", "body")

    class Meta:
        abstract = True


class EnforcementPower(BodyPart):
    """An entry of the powers list (权责清单): ``name`` is the matter's name."""

    power_type = models.CharField(_("职权类型"), max_length=20, choices=PowerType.choices)
    code = models.CharField(_("职权编码"), max_length=60)
    legal_basis = models.TextField(_("设定依据"))
    discretion_standard = models.TextField(_("裁量基准"), blank=True)
    procedure = models.TextField(_("办理流程"), blank=True)
    time_limit = models.CharField(_("法定期限"), max_length=200, blank=True)
    remedy = models.TextField(_("救济途径"), blank=True)

    class Meta:
        verbose_name = _("权责清单事项")
        verbose_name_plural = _("权责清单")
        constraints = [models.UniqueConstraint(fields=["body", "code"], name="unique_power_code")]


class EnforcementOfficer(BodyPart):
    """An enforcement officer (执法人员) with the certificate number that is published;
    ``name`` is the officer's name."""

    certificate_number = models.CharField(_("执法证号"), max_length=60, unique=True)
    valid_until = models.DateField(_("证件有效期至"))
    officer_status = models.CharField(
        _("执法资格状态"),
        max_length=20,
        choices=OfficerStatus.choices,
        default=OfficerStatus.ACTIVE,
    )

    class Meta:
        verbose_name = _("执法人员")
        verbose_name_plural = _("执法人员")
