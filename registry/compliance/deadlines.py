"""Reminders: the open deadlines of each department due within N working days (overdue
ones included), from every registered :class:`DeadlineSource`. Shared by
``GET /api/v1/compliance/deadlines/``, ``manage.py deadlines`` and the daily e-mail digest.
"""

import datetime
from dataclasses import dataclass

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from registry.compliance import registration
from registry.compliance.checks import resource_of
from registry.workdays import WorkingCalendar

DEFAULT_WITHIN = 5
MAX_WITHIN = 60


class DeadlineSource:
    """Open duties of one kind with a due date. Subclasses set the attributes and implement
    :meth:`items` (or :meth:`rows` for one model's records)."""

    code = ""
    label = ""
    legal_basis = ""
    registry = ""
    model = None
    detail_fields = ()

    def models(self):
        return [self.model]

    def rows(self, model, until, today):
        """``model``'s open records due on or before ``until`` (unrestricted), annotated
        with ``due_``."""
        raise NotImplementedError

    def extra(self, row):
        return {}

    def items(self, until, today, narrow, department=None):
        """Reminder items (dictionaries) visible through ``narrow``: one query per model."""
        found = []
        for model in self.models():
            path = model.permission_department_path
            rows = narrow(self.rows(model, until, today))
            if department is not None:
                rows = rows.filter(**{path: department})
            values = rows.annotate(department_code_=F(f"{path}__code")).values(
                "pk", "index_number", "name", "due_", "department_code_", *self.detail_fields
            )
            resource = resource_of(model)
            found += [self.item(row, resource) for row in values]
        return found

    def item(self, row, resource, **extra):
        # (Label and basis stay lazy: translated when written, for the items a page shows,
        # not for every open deadline of the registry.)
        return {
            "department": row["department_code_"],
            "kind": self.code,
            "label": self.label,
            "legal_basis": self.legal_basis,
            "resource": resource,
            "id": row["pk"],
            "index_number": row["index_number"],
            "name": row["name"],
            "due": row["due_"],
            "details": {**self.extra(row), **extra},
        }


class PublicationDeadlines(DeadlineSource):
    """Unpublished records with a computed ``publication_due`` (withheld and ``exempt``
    records never fall due)."""

    exempt = Q(pk__in=[])
    detail_fields = ("publication_rule",)

    def rows(self, model, until, today):
        return (
            model.objects.filter(
                published_at__isnull=True, withheld_ground="", publication_due__lte=until
            )
            .exclude(self.exempt)
            .annotate(due_=F("publication_due"))
        )

    def extra(self, row):
        return {"rule": row["publication_rule"]}


class ReassessmentDeadlines(DeadlineSource):
    """Withheld records of one registry whose re-assessment date falls due."""

    legal_basis = _("《中华人民共和国政府信息公开条例》第十四条至第十六条、第二十条")
    label = _("不予公开事项重新评估")
    detail_fields = ("withheld_ground",)

    def __init__(self, registry):
        from registry.compliance.checks import WithheldReassessment

        self.registry = registry
        self.code = f"{registry}_withheld_reassessment"
        self._models = WithheldReassessment(registry).models

    def models(self):
        return self._models()

    def rows(self, model, until, today):
        return (
            model.objects.exclude(withheld_ground="")
            .filter(withheld_reassess_on__lte=until)
            .annotate(due_=F("withheld_reassess_on"))
        )

    def extra(self, row):
        return {"withheld_ground": row["withheld_ground"]}


@dataclass(frozen=True)
class Reminders:
    """The open deadlines due by ``until`` (``within`` working days after ``today``)."""

    today: datetime.date
    within: int
    until: datetime.date
    items: list

    def by_department(self):
        grouped = {}
        for item in self.items:
            grouped.setdefault(item["department"], []).append(item)
        return grouped


def horizon(today, within):
    """The date ``within`` working days after ``today`` (today itself for 0), and the
    calendar it was counted on."""
    calendar = WorkingCalendar.around(today, within * 2 + 30)
    return calendar.add_working_days(today, within).date, calendar


def upcoming(today, within, narrow, department=None):
    """:class:`Reminders` of every registered source that ``narrow`` lets its reader see,
    ordered by department, due date and record; each item says how many working days are
    left (negative when overdue). One query per source model, plus the calendar's two (and
    two more when an overdue item reaches back into an earlier year)."""
    until, calendar = horizon(today, within)
    items = []
    for source in registration.deadline_sources():
        items += source.items(until, today, narrow, department)
    if items:
        first = min(min(item["due"] for item in items), today)
        if first.year < calendar.years[0]:
            calendar = WorkingCalendar(range(first.year, until.year + 1))
        for item in items:
            due = item["due"]
            if due >= today:
                left = calendar.working_days_between(today, due)
            else:
                left = -calendar.working_days_between(due, today)
            item["working_days_left"] = left
            item["overdue"] = due < today
    items.sort(key=lambda i: (i["department"], i["due"], i["resource"] or "", i["id"]))
    return Reminders(today, within, until, items)
