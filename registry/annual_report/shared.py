"""The tables every record type shares: proactive disclosures by category (published,
amended and withdrawn in the year) and withdrawals. Categories are the registered record
types (:mod:`registry.record_types`) whose model is a :class:`~registry.models.PublicRecord`.

Each table is one statement: a ``UNION ALL`` of one aggregate row per record type.
"""

from django.db.models import Count, Exists, OuterRef, Q, Value
from django.utils.translation import gettext_lazy as _

from registry import record_types
from registry.annual_report.tables import Column, Table, in_year, reported_q, year_bounds
from registry.choices import AuditAction, RecordStatus


def record_models():
    """``(resource prefix, model)`` of every registered record type, in registration order."""
    from registry.models import PublicRecord

    return [
        (record_type.prefix, record_type.viewset.model)
        for record_type in record_types.registered()
        if isinstance(getattr(record_type.viewset, "model", None), type)
        and issubclass(record_type.viewset.model, PublicRecord)
    ]


def _union_rows(department, aggregates, candidates):
    """Run one aggregate per record type as a single ``UNION ALL``; rows keyed by prefix.
    ``aggregates(model)`` returns the annotations of that record type's row; ``candidates``
    (a ``Q``) holds every record any of them counts (the others are not read)."""
    querysets = [
        model.objects.filter(candidates, department=department)
        .annotate(resource=Value(prefix))
        .values("resource")
        .annotate(**aggregates(model))
        .order_by()
        for prefix, model in record_models()
    ]
    if not querysets:
        return {}
    first, rest = querysets[0], querysets[1:]
    return {row["resource"]: row for row in first.union(*rest, all=True)}


def _labelled(counts, columns):
    rows = []
    for prefix, model in record_models():
        found = counts.get(prefix, {})
        row = {"key": prefix, "label": str(model._meta.verbose_name_plural)}
        row.update({column.key: found.get(column.key) or 0 for column in columns})
        rows.append(row)
    return rows


def _withdrawn_in(year):
    return Q(status=RecordStatus.WITHDRAWN, **in_year("withdrawn_at", year))


PROACTIVE_COLUMNS = (
    Column("published", _("本年新公开")),
    Column("amended", _("本年更正")),
    Column("withdrawn", _("本年撤回")),
)


def proactive(department, year):
    """Per record type: records of ``department`` first published in ``year`` (that the
    public may see, or saw: :func:`~registry.annual_report.tables.reported_q`, withdrawn
    ones included), records amended in ``year`` (an amendment event in the audit log), and
    records withdrawn in ``year`` (with a public tombstone)."""
    from django.contrib.contenttypes.models import ContentType

    from registry.models import AuditEntry

    def aggregates(model):
        shown = reported_q(model)
        amended = AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id=OuterRef("pk"),
            action=AuditAction.AMENDED,
            **in_year("created_at", year),
        )
        return {
            "published": Count("pk", filter=shown & Q(**in_year("published_at", year))),
            "amended": Count("pk", filter=shown & Exists(amended)),
            "withdrawn": Count("pk", filter=shown & _withdrawn_in(year)),
        }

    # (An amendment in the year leaves ``amended_at``, the latest one, in or after it.)
    start, _end = year_bounds(year)
    candidates = Q(**in_year("published_at", year)) | _withdrawn_in(year) | Q(amended_at__gte=start)
    return _labelled(_union_rows(department, aggregates, candidates), PROACTIVE_COLUMNS)


WITHDRAWAL_COLUMNS = (
    Column("withdrawn", _("撤回数")),
    Column("published_same_year", _("其中本年发布")),
    Column("published_earlier", _("其中以前年度发布")),
)


def withdrawals(department, year):
    """Per record type: public withdrawals (tombstones) of ``department`` in ``year``, and
    whether the withdrawn record had been published in the same year or earlier."""
    start, _end = year_bounds(year)

    def aggregates(model):
        withdrawn = reported_q(model) & _withdrawn_in(year)
        return {
            "withdrawn": Count("pk", filter=withdrawn),
            "published_same_year": Count("pk", filter=withdrawn & Q(published_at__gte=start)),
            "published_earlier": Count("pk", filter=withdrawn & Q(published_at__lt=start)),
        }

    candidates = _withdrawn_in(year)
    return _labelled(_union_rows(department, aggregates, candidates), WITHDRAWAL_COLUMNS)


TABLES = (
    Table(
        key="proactive_disclosure",
        title=_("主动公开政府信息情况（按信息类别）"),
        row_heading=_("信息类别"),
        columns=PROACTIVE_COLUMNS,
        compute=proactive,
        order=10,
    ),
    Table(
        key="withdrawals",
        title=_("撤回公开信息情况"),
        row_heading=_("信息类别"),
        columns=WITHDRAWAL_COLUMNS,
        compute=withdrawals,
        order=90,
    ),
)
