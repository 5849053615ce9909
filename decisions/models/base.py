from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models import PublicRecord


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

    owner_field = "decision"
    amend_forbidden_fields = ("department", "decision")

    class Meta:
        abstract = True
