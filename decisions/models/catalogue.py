from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models import PublicRecord, RestrictedQuerySet
from registry.querying import prefix_q


class Catalogue(PublicRecord):
    """The annual catalogue of major administrative decisions (年度重大行政决策目录清单),
    one per year, issued by the district government after approval.

    Publishing it makes version 1; every adjustment publishes a new version. A published
    version is never edited (see :class:`CatalogueVersion`).
    """

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    approval_date = models.DateField(_("批准日期"), null=True, blank=True)

    amend_forbidden_fields = ("department", "year")

    class Meta:
        verbose_name = _("年度重大行政决策目录")
        verbose_name_plural = _("年度重大行政决策目录")
        ordering = ["-year"]

    def check_publishable(self):
        from decisions.services.catalogue import check_catalogue_publishable

        check_catalogue_publishable(self)

    def on_published(self, acting_user):
        from decisions.services.catalogue import publish_version

        publish_version(self, acting_user=acting_user, note=_("首次发布"))


class CatalogueVersion(models.Model):
    """One published version of a catalogue: the entries as published, and what changed
    against the previous version. Immutable once written."""

    # PROTECT: published versions are public history.
    catalogue = models.ForeignKey(
        Catalogue, verbose_name=_("年度目录"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    approval_date = models.DateField(_("批准日期"), null=True)
    published_at = models.DateTimeField(_("发布时间"))
    note = models.TextField(_("调整说明"))
    entries = models.JSONField(_("目录条目"))
    changes = models.JSONField(_("与上一版本相比的变化"))

    objects = RestrictedQuerySet.as_manager()

    permission_department_path = "catalogue__department"

    class Meta:
        verbose_name = _("目录版本")
        verbose_name_plural = _("目录版本")
        ordering = ["catalogue", "number"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "number"], name="unique_catalogue_version")
        ]

    def __str__(self):
        return f"{self.catalogue.year} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("a published catalogue version is never edited")
        super().save(*args, **kwargs)

    @classmethod
    def public_q(cls):
        return prefix_q(Catalogue.public_q(), "catalogue")
