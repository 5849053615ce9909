from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.choices import CalendarDayKind


class CalendarYear(models.Model):
    """A year whose public holidays and adjusted workdays (调休) are officially known.

    A year without a row here falls back to Monday–Friday working days, and deadlines
    computed over it are marked provisional. ``version`` grows with every change to the
    year's days, and each computed deadline records the versions it used.
    """

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(
        _("来源"),
        max_length=300,
        help_text=_("国务院办公厅节假日安排通知的文号，或数据来源"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        verbose_name = _("工作日历年度")
        verbose_name_plural = _("工作日历年度")
        ordering = ["-year"]

    def __str__(self):
        return str(self.year)


class CalendarDay(models.Model):
    """A day that departs from the Monday–Friday rule: a holiday on a weekday or an
    adjusted workday on a weekend."""

    # CASCADE: the days belong to their year's official schedule.
    year = models.ForeignKey(
        CalendarYear, verbose_name=_("年份"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=10, choices=CalendarDayKind.choices)
    name = models.CharField(_("节日名称"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("节假日或调休日")
        verbose_name_plural = _("节假日和调休日")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()}"
