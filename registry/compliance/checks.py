"""What a compliance check is, and the checks every registry can reuse.

A :class:`Check` names the rule (code, Chinese label, legal basis), the rows it looks at
(:meth:`Check.rows`: the candidate records of a period, before any permission narrowing) and
its *measures*: conditions counted per department in one SQL query (``GROUP BY`` the
department, one conditional ``COUNT`` per measure). Measures marked ``listed`` are
shortfalls: their records make up the record-level detail, with their due date, the date the
duty was done and the working days between them (computed on the working-day calendar, read
once per report).
"""

from dataclasses import dataclass

from django.apps import apps
from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry import record_types
from registry.workdays import WorkingCalendar


def local_date(field):
    """The Asia/Shanghai calendar date of a datetime column (stored in UTC)."""
    return TruncDate(field, tzinfo=timezone.get_default_timezone())


def resource_of(model):
    """The API prefix under which ``model``'s records are served, or None."""
    for record_type in record_types.registered():
        if getattr(record_type.viewset, "model", None) is model:
            return record_type.prefix
    return None


@dataclass(frozen=True)
class Measure:
    """One count of a check. ``listed``: a shortfall whose records are the detail."""

    code: str
    label: object
    listed: bool = False


class Check:
    """Base of a compliance check over one model's records; subclasses set the attributes
    and implement :meth:`rows` and :meth:`condition`."""

    code = ""
    label = ""
    legal_basis = ""
    registry = ""  # app label
    model = None
    period_label = ""  # which date of a record the period applies to
    measures = ()

    @property
    def department_path(self):
        return self.model.permission_department_path

    def resource(self):
        return resource_of(self.model)

    def rows(self, period, today):
        """The candidate records of ``period`` (unrestricted), annotated for the
        conditions."""
        raise NotImplementedError

    def condition(self, measure, today):
        """The Q of the rows counted by ``measure`` (a code)."""
        raise NotImplementedError

    def counts(self, period, today, department=None):
        """``{department id: {measure: count}}`` of the departments with candidate rows (of
        ``department``, an id, when given): one query."""
        path = self.department_path
        aggregates = {
            measure.code: Count("pk", filter=self.condition(measure.code, today))
            for measure in self.measures
        }
        rows = self.rows(period, today)
        if department is not None:
            rows = rows.filter(**{path: department})
        grouped = rows.values(path).annotate(**aggregates).order_by()
        return {
            row[path]: {measure.code: row[measure.code] for measure in self.measures}
            for row in grouped
        }

    def listed_rows(self, period, today):
        """The candidate rows in a listed measure, annotated with ``measure_`` (the first
        listed measure each one is in)."""
        listed = [m for m in self.measures if m.listed]
        conditions = [self.condition(m.code, today) for m in listed]
        any_listed = Q(pk__in=[])
        for condition in conditions:
            any_listed |= condition
        which = Case(
            *(When(c, then=Value(m.code)) for m, c in zip(listed, conditions, strict=True)),
            output_field=CharField(),
        )
        return self.rows(period, today).filter(any_listed).annotate(measure_=which)

    # --- detail ------------------------------------------------------------------------------

    detail_fields = ()  # further values read for describe()

    def dates(self, row, today):
        """``(due, done)`` of a detail row (either may be None); the working days from due
        to done (or to today when not done) are the lateness."""
        return None, None

    def extra(self, row):
        """Check-specific facts shown with a detail row."""
        return {}

    def detail(self, period, today, narrow, department=None):
        """The record-level detail of ``period``: the listed rows that ``narrow`` (the
        permission path, applied to a queryset) leaves, of ``department`` (an id) when
        given. One query, plus the calendar's two when a row is late."""
        return self.describe(self._listed(period, today, narrow, department), today)

    def detail_page(self, period, today, narrow, department, offset, limit):
        """``(count, rows)``: how many detail rows there are, and ``limit`` of them from
        ``offset`` (two queries, plus the calendar's)."""
        listed = self._listed(period, today, narrow, department)
        count = listed.count()
        rows = self.describe(listed, today, offset, limit) if offset < count else []
        return count, rows

    def _listed(self, period, today, narrow, department):
        listed = narrow(self.listed_rows(period, today))
        if department is not None:
            listed = listed.filter(**{self.department_path: department})
        return listed

    def describe(self, queryset, today, offset=0, limit=None):
        path = self.department_path
        values = (
            queryset.annotate(department_code_=F(f"{path}__code"))
            .values(
                "pk", "index_number", "name", "measure_", "department_code_", *self.detail_fields
            )
            .order_by("department_code_", "pk")
        )
        end = None if limit is None else offset + limit
        rows = list(values[offset:end])
        return describe_rows(self, rows, today, self.resource())


def page(rows, offset, limit):
    """``(count, rows)`` of a list read whole: its length and ``limit`` rows from
    ``offset`` (all of them when ``limit`` is None)."""
    return len(rows), rows[offset : None if limit is None else offset + limit]


def describe_rows(check, rows, today, resource):
    """Detail dictionaries of ``rows`` (values of ``check``'s listed rows)."""
    spans = [check.dates(row, today) for row in rows]
    counted = [(due, done or today) for due, done in spans if due is not None]
    calendar = None
    late = [(due, end) for due, end in counted if end > due]
    if late:
        first = min(due for due, _end in late)
        last = max(end for _due, end in late)
        calendar = WorkingCalendar(range(first.year, last.year + 1))
    result = []
    for row, (due, done) in zip(rows, spans, strict=True):
        end = done or today
        days = None
        if due is not None:
            days = calendar.working_days_between(due, end) if calendar and end > due else 0
        result.append(
            {
                "measure": row["measure_"],
                "resource": resource,
                "id": row["pk"],
                "index_number": row["index_number"],
                "name": row["name"],
                "department": row["department_code_"],
                "due": due,
                "done": done,
                "working_days_late": days,
                "details": check.extra(row),
            }
        )
    return result


class PublicationTimeliness(Check):
    """Records with a computed ``publication_due``: published on time, published late,
    overdue now (unpublished after the due date) and not yet due. ``exempt`` rows are never
    to be published (e.g. a minor's case) and are left out; so are withheld records."""

    period_field = ""
    exempt = Q(pk__in=[])
    measures = (
        Measure("on_time", _("按期公开")),
        Measure("late", _("逾期公开"), listed=True),
        Measure("overdue", _("逾期未公开"), listed=True),
        Measure("not_yet_due", _("未到期未公开")),
    )

    def rows(self, period, today):
        return (
            self.model.objects.filter(period.q(self.period_field), withheld_ground="")
            .exclude(self.exempt)
            .annotate(published_day=local_date("published_at"))
        )

    def condition(self, measure, today):
        published = Q(published_at__isnull=False)
        return {
            "on_time": published & Q(published_day__lte=F("publication_due")),
            "late": published & Q(published_day__gt=F("publication_due")),
            "overdue": Q(published_at__isnull=True, publication_due__lt=today),
            "not_yet_due": Q(published_at__isnull=True, publication_due__gte=today),
        }[measure]

    detail_fields = ("publication_due", "published_day", "publication_rule")

    def dates(self, row, today):
        return row["publication_due"], row["published_day"]

    def extra(self, row):
        return {"rule": row["publication_rule"]}


class WithheldReassessment(Check):
    """Records withheld from disclosure (《政府信息公开条例》 art. 14–16) whose re-assessment
    date (``withheld_reassess_on``) has passed, or that have none, across every record model
    of one registry. Counted in one statement (a ``UNION ALL`` of each model's grouped
    counts)."""

    legal_basis = _("《中华人民共和国政府信息公开条例》第十四条至第十六条、第二十条")
    period_label = _("记录的成文日期")
    measures = (
        Measure("withheld", _("不予公开的记录")),
        Measure("past_reassessment", _("已过重新评估日期"), listed=True),
        Measure("no_reassessment_date", _("未定重新评估日期"), listed=True),
    )

    def __init__(self, registry, code=None, label=None):
        self.registry = registry
        self.code = code or f"{registry}_withheld_reassessment"
        self.label = label or _("不予公开事项的重新评估")

    def models(self):
        from registry.models import PublicRecord

        return [
            model
            for model in apps.get_app_config(self.registry).get_models()
            if issubclass(model, PublicRecord) and resource_of(model)
        ]

    def model_rows(self, model, period):
        return model.objects.filter(period.q("date_made")).exclude(withheld_ground="")

    def condition(self, measure, today):
        return {
            "withheld": Q(pk__isnull=False),
            "past_reassessment": Q(withheld_reassess_on__lt=today),
            "no_reassessment_date": Q(withheld_reassess_on__isnull=True),
        }[measure]

    def counts(self, period, today, department=None):
        parts = []
        for model in self.models():
            path = model.permission_department_path
            aggregates = {
                m.code: Count("pk", filter=self.condition(m.code, today)) for m in self.measures
            }
            rows = self.model_rows(model, period)
            if department is not None:
                rows = rows.filter(**{path: department})
            parts.append(rows.values(department_=F(path)).annotate(**aggregates).order_by())
        if not parts:
            return {}
        totals = {}
        for row in parts[0].union(*parts[1:], all=True):
            counts = totals.setdefault(row["department_"], dict.fromkeys(row, 0))
            for measure in self.measures:
                counts[measure.code] += row[measure.code]
        return {
            department: {m.code: counts[m.code] for m in self.measures}
            for department, counts in totals.items()
        }

    def detail_page(self, period, today, narrow, department, offset, limit):
        return page(self.detail(period, today, narrow, department), offset, limit)

    def detail(self, period, today, narrow, department=None):
        listed = Q(withheld_reassess_on__lt=today) | Q(withheld_reassess_on__isnull=True)
        which = Case(
            When(withheld_reassess_on__isnull=True, then=Value("no_reassessment_date")),
            default=Value("past_reassessment"),
            output_field=CharField(),
        )
        rows = []
        for model in self.models():
            queryset = self.model_rows(model, period).filter(listed).annotate(measure_=which)
            path = model.permission_department_path
            if department is not None:
                queryset = queryset.filter(**{path: department})
            values = (
                narrow(queryset)
                .annotate(department_code_=F(f"{path}__code"))
                .values(
                    "pk",
                    "index_number",
                    "name",
                    "measure_",
                    "department_code_",
                    *self.detail_fields,
                )
                .order_by("department_code_", "pk")
            )
            rows += describe_rows(self, list(values), today, resource_of(model))
        return rows

    detail_fields = ("withheld_reassess_on", "withheld_ground")

    def dates(self, row, today):
        return row["withheld_reassess_on"], None

    def extra(self, row):
        return {"withheld_ground": row["withheld_ground"]}
