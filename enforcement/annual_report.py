"""The enforcement tables of the annual disclosure report (registered from
``EnforcementConfig.ready()``): enforcement decisions by kind with their fine and
confiscation totals, and withdrawals of published decisions by trigger.

A decision counts when it was published and may be disclosed — not withheld, never a
minor's case, its enforcement body public — including decisions whose display period
(公示期) has since ended: they were disclosed in their year, and a report for a past year
must not shrink as display periods run out."""

from django.db.models import Count, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from enforcement.choices import ActionKind, PartyKind, WithdrawalTrigger
from enforcement.models import EnforcementAction, EnforcementBody
from registry.annual_report.choices import ColumnKind
from registry.annual_report.tables import Column, Table, in_year
from registry.choices import RecordStatus
from registry.querying import prefix_q


def disclosed_q():
    """Decisions that were lawfully disclosable once published, whatever their display
    period (see the module docstring)."""
    return (
        Q(withheld_ground="", party_is_minor=False)
        & Q(published_at__isnull=False)
        & prefix_q(EnforcementBody.public_q(), "body")
    )


def reported_q():
    """Decisions the report counts (published or withdrawn), for the shared tables."""
    return disclosed_q() & Q(status__in=[RecordStatus.PUBLISHED, RecordStatus.WITHDRAWN])


ACTION_COLUMNS = (
    Column("decisions", _("决定数")),
    *(Column(f"party_{kind.value}", kind.label) for kind in PartyKind),
    Column("fine_total", _("罚款金额合计（元）"), ColumnKind.AMOUNT),
    Column("confiscation_total", _("没收金额合计（元）"), ColumnKind.AMOUNT),
)


def actions_table(department, year):
    """Per decision kind: published decisions of ``department`` dated in ``year``, by the
    party's kind, with the total fines and confiscations. One query."""
    counts = (
        EnforcementAction.objects.filter(
            disclosed_q(),
            department=department,
            status=RecordStatus.PUBLISHED,
            decision_date__year=year,
        )
        .values("kind", "party_kind")
        .annotate(
            count=Count("pk"), fines=Sum("fine_amount"), confiscated=Sum("confiscation_amount")
        )
        .order_by()
    )
    rows = {
        kind: {
            "key": kind.value,
            "label": str(kind.label),
            **{column.key: 0 for column in ACTION_COLUMNS},
        }
        for kind in ActionKind
    }
    for found in counts:
        row = rows[found["kind"]]
        row["decisions"] += found["count"]
        row[f"party_{found['party_kind']}"] += found["count"]
        row["fine_total"] += found["fines"] or 0
        row["confiscation_total"] += found["confiscated"] or 0
    return list(rows.values())


WITHDRAWAL_COLUMNS = (
    Column("withdrawn", _("撤回数")),
    Column("late", _("其中超过3个工作日撤回")),
)


def withdrawals_table(department, year):
    """Per withdrawal trigger (decision changed, revoked, confirmed unlawful): published
    decisions of ``department`` withdrawn in ``year`` with a public tombstone, and how many
    of them after their withdrawal deadline (3 working days from the trigger). One query."""
    late = Q(withdrawal_due__isnull=False, withdrawn_at__date__gt=F("withdrawal_due"))
    counts = (
        EnforcementAction.objects.filter(
            disclosed_q(),
            department=department,
            status=RecordStatus.WITHDRAWN,
            **in_year("withdrawn_at", year),
        )
        .values("withdrawal_trigger")
        .annotate(withdrawn=Count("pk"), late=Count("pk", filter=late))
        .order_by()
    )
    labels = {**dict(WithdrawalTrigger.choices), "": _("其他原因（未注明）")}
    rows = {
        trigger: {"key": trigger or "other", "label": str(label), "withdrawn": 0, "late": 0}
        for trigger, label in labels.items()
    }
    for found in counts:
        rows[found["withdrawal_trigger"]].update(withdrawn=found["withdrawn"], late=found["late"])
    return list(rows.values())


TABLES = (
    Table(
        key="enforcement_actions",
        title=_("行政执法决定情况（按决定类别）"),
        row_heading=_("决定类别"),
        columns=ACTION_COLUMNS,
        compute=actions_table,
        order=40,
    ),
    Table(
        key="enforcement_withdrawals",
        title=_("行政执法决定撤回情况（按撤回原因）"),
        row_heading=_("撤回原因"),
        columns=WITHDRAWAL_COLUMNS,
        compute=withdrawals_table,
        order=50,
    ),
)
