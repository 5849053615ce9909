from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.choices import DeadlineUnit


class DeadlineRule(models.Model):
    """A legal time limit: how long after which event something is due, and the provision
    that says so. ``version`` grows whenever the amount, unit or start event changes."""

    code = models.SlugField(_("规则代码"), max_length=60, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    legal_basis = models.CharField(_("法律依据"), max_length=500)
    amount = models.PositiveIntegerField(_("期限"))
    unit = models.CharField(_("单位"), max_length=20, choices=DeadlineUnit.choices)
    start_event = models.CharField(_("起算事件"), max_length=100)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    VERSIONED_FIELDS = ("amount", "unit", "start_event")

    class Meta:
        verbose_name = _("期限规则")
        verbose_name_plural = _("期限规则")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.amount}{self.get_unit_display()}）"

    def save(self, *args, **kwargs):
        if self.pk:
            old = type(self).objects.filter(pk=self.pk).values(*self.VERSIONED_FIELDS).first()
            if old and any(old[f] != getattr(self, f) for f in self.VERSIONED_FIELDS):
                self.version += 1
        super().save(*args, **kwargs)
