from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models import PublicRecord
from registry.querying import prefix_q


class DecisionPart(PublicRecord):
    """A published record that belongs to one major decision (consultation, hearing, expert
    opinion, implementation update …). It is owned by the decision's sponsor department and
    is public only while its decision is."""

    # PROTECT: the parts of a decision are part of its public history.
    decision = models.ForeignKey(
        "decisions.Decision",
        verbose_name=_("重大行政决策"),
        on_delete=models.PROTECT,
        related_name="%(class)ss",
    )

    amend_forbidden_fields = ("department", "decision")

    class Meta:
        abstract = True

    @classmethod
    def disclosable_q(cls):
        from decisions.models.decision import Decision

        return super().disclosable_q() & prefix_q(Decision.public_q(), "decision")

    def clean(self):
        super().clean()
        if self.decision_id and self.department_id != self.decision.department_id:
            raise ValidationError({"department": _("必须与所属决策的承办部门一致。")})
