from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from enforcement.choices import InspectionOutcome
from enforcement.models.bodies import BodyPart


class InspectionPlan(BodyPart):
    """A random-inspection plan (双随机、一公开): the matters inspected, the sampling ratio,
    the recorded pools of entities and inspectors, and the draw — made from a recorded seed so
    anyone can re-run it and get the same selection."""

    year = models.PositiveSmallIntegerField(_("年度"))
    matters = models.JSONField(_("抽查事项清单"), default=list)
    sampling_ratio = models.DecimalField(_("抽查比例"), max_digits=5, decimal_places=4)
    inspectors_per_entity = models.PositiveSmallIntegerField(_("每户执法人员数"), default=2)
    entity_pool = models.JSONField(
        _("检查对象名录库"),
        default=list,
        help_text=_("列表，每项含 name 和 credit_code"),
    )
    inspector_pool = models.JSONField(
        _("执法检查人员名录库"),
        default=list,
        help_text=_("列表，每项含 name 和 certificate_number"),
    )
    draw_seed = models.CharField(_("抽取随机种子"), max_length=64, blank=True, editable=False)
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True, editable=False)
    draw_algorithm = models.CharField(_("抽取算法"), max_length=100, blank=True, editable=False)
    selection = models.JSONField(_("抽取结果"), default=list, blank=True, editable=False)

    # What the draw is computed from: frozen once the draw is made, so it stays verifiable.
    DRAW_INPUTS = ("entity_pool", "inspector_pool", "sampling_ratio", "inspectors_per_entity")

    amend_forbidden_fields = ("department", "body", *DRAW_INPUTS)

    class Meta:
        verbose_name = _("双随机抽查计划")
        verbose_name_plural = _("双随机抽查计划")

    def clean(self):
        super().clean()
        errors = {}
        if self.pk and self.draw_seed:
            recorded = type(self).objects.filter(pk=self.pk).values(*self.DRAW_INPUTS).first()
            for field in self.DRAW_INPUTS:
                if recorded is not None and recorded[field] != getattr(self, field):
                    errors[field] = _("已完成抽取，抽取依据不能再修改。")
        if self.sampling_ratio is not None and not 0 < self.sampling_ratio <= 1:
            errors["sampling_ratio"] = _("抽查比例须大于0且不超过1。")
        if not isinstance(self.entity_pool, list) or not all(
            isinstance(e, dict) and str(e.get("name", "")).strip() for e in self.entity_pool
        ):
            errors["entity_pool"] = _("检查对象名录库应为列表，每项须有 name。")
        if not isinstance(self.inspector_pool, list) or not all(
            isinstance(i, dict) and str(i.get("name", "")).strip() for i in self.inspector_pool
        ):
            errors["inspector_pool"] = _("执法检查人员名录库应为列表，每项须有 name。")
        elif len(self.inspector_pool) < self.inspectors_per_entity:
            errors["inspector_pool"] = _("执法检查人员不足。")
        if errors:
            raise ValidationError(errors)


class InspectionResult(BodyPart):
    """The result of inspecting one drawn entity, published within 20 working days of the
    inspection's end."""

    # PROTECT: results answer the plan's draw.
    plan = models.ForeignKey(
        InspectionPlan,
        verbose_name=_("抽查计划"),
        on_delete=models.PROTECT,
        related_name="results",
    )
    entity_name = models.CharField(_("检查对象"), max_length=200)
    entity_credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    inspected_from = models.DateField(_("检查开始日期"))
    inspected_until = models.DateField(_("检查结束日期"))
    outcome = models.CharField(_("检查结果"), max_length=20, choices=InspectionOutcome.choices)
    findings = models.TextField(_("检查情况"), blank=True)
    publication_due = models.DateField(_("公开期限"), editable=False)
    publication_rule = models.CharField(_("公开期限规则"), max_length=100, editable=False)
    publication_due_provisional = models.BooleanField(
        _("公开期限为暂定"), default=False, editable=False
    )

    public_through = ("plan",)
    amend_forbidden_fields = ("department", "body", "plan")
    computed_fields = {
        **BodyPart.computed_fields,
        "publication_due": _("检查结束之日起按工作日历计算，取适用期限规则中最严格者"),
    }

    class Meta:
        verbose_name = _("抽查结果")
        verbose_name_plural = _("抽查结果")

    def clean(self):
        super().clean()
        from enforcement.services.deadlines import INSPECTION_RESULT_RULE, set_publication_due

        errors = {}
        if self.plan_id and self.body_id and self.plan.body_id != self.body_id:
            errors["plan"] = _("抽查计划不属于该执法主体。")
        if (
            self.plan_id
            and self.entity_name
            and not any(entity["name"] == self.entity_name for entity in self.plan.selection)
        ):
            errors["entity_name"] = _("该对象不在本计划的抽取结果中。")
        if (
            self.inspected_from
            and self.inspected_until
            and self.inspected_until < self.inspected_from
        ):
            errors["inspected_until"] = _("检查结束日期不能早于开始日期。")
        if errors:
            raise ValidationError(errors)
        set_publication_due(self, [INSPECTION_RESULT_RULE], self.inspected_until)
