"""The data of the dashboard's charts, computed from public records only (the same for
every reader) in a fixed number of aggregate queries: one per chart.

Each function returns what its chart draws, with the labels already translated: the page's
script holds no text of its own."""

import datetime

from django.apps import apps
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from decisions.models import Consultation
from enforcement.choices import ActionKind
from enforcement.models import EnforcementAction
from fiscal.choices import ReportingPoint
from fiscal.models import DebtReport
from registry.annual_report.shared import record_models
from registry.annual_report.tables import reported_q
from registry.choices import RecordStatus
from registry.compliance import report as compliance
from registry.compliance.period import year_period

MONTHS = 12  # the monthly charts show the last twelve months, this one included
CONSULTATIONS = 10  # the consultations chart shows the most recent ones


def month_starts(today, count=MONTHS):
    """The first day of each of the ``count`` months ending with ``today``'s, oldest first."""
    year, month = today.year, today.month
    starts = []
    for _step in range(count):
        starts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def _month_key(value):
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return value.strftime("%Y-%m")


def published_by_month(today):
    """Records first published per month, one series per registry (app), over every
    registered record type: one ``UNION ALL`` query."""
    months = month_starts(today)
    start = timezone.make_aware(datetime.datetime.combine(months[0], datetime.time()))
    querysets = [
        model.objects.filter(reported_q(model), published_at__gte=start)
        .annotate(registry=Value(model._meta.app_label), month=TruncMonth("published_at"))
        .values("registry", "month")
        .annotate(count=Count("pk"))
        .order_by()
        for _prefix, model in record_models()
    ]
    counts = {}
    if querysets:
        for row in querysets[0].union(*querysets[1:], all=True):
            key = (row["registry"], _month_key(row["month"]))
            counts[key] = counts.get(key, 0) + row["count"]
    labels = [_month_key(month) for month in months]
    registries = dict.fromkeys(model._meta.app_label for _prefix, model in record_models())
    return {
        "months": labels,
        "series": [
            {
                "name": str(apps.get_app_config(label).verbose_name),
                "data": [counts.get((label, month), 0) for month in labels],
            }
            for label in registries
        ],
    }


def enforcement_by_month(today):
    """Published enforcement decisions per month of decision and kind (one query)."""
    months = month_starts(today)
    rows = (
        EnforcementAction.objects.filter(
            reported_q(EnforcementAction),
            status=RecordStatus.PUBLISHED,
            decision_date__gte=months[0],
            decision_date__lte=today,
        )
        .annotate(month=TruncMonth("decision_date"))
        .values("month", "kind")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts = {(_month_key(row["month"]), row["kind"]): row["count"] for row in rows}
    labels = [_month_key(month) for month in months]
    return {
        "months": labels,
        "series": [
            {"name": str(kind.label), "data": [counts.get((m, kind.value), 0) for m in labels]}
            for kind in ActionKind
        ],
    }


POINT_RANK = Case(
    When(reporting_point=ReportingPoint.FINAL_ACCOUNTS, then=Value(3)),
    When(reporting_point=ReportingPoint.MID_YEAR_ADJUSTMENT, then=Value(2)),
    default=Value(1),
    output_field=IntegerField(),
)


def debt_by_year():
    """Per year, the latest public debt report (final accounts, else the mid-year adjustment,
    else the budget): limit and balance in 亿元, debt ratio and debt-service ratio in %
    (one query). The district's debt is reported by one department, the finance bureau."""
    reports = (
        DebtReport.objects.public()
        .annotate(rank=POINT_RANK)
        .order_by("year", "-rank", "department_id")
        .distinct("year")
        .values(
            "year",
            "reporting_point",
            "total_limit",
            "total_balance",
            "debt_ratio",
            "debt_service_ratio",
        )
    )
    points = dict(ReportingPoint.choices)
    hundred_million = 100_000_000

    def number(value, scale=1):
        return None if value is None else round(float(value) / scale, 2)

    rows = list(reports)
    return {
        "years": [str(row["year"]) for row in rows],
        "points": [str(points[row["reporting_point"]]) for row in rows],
        "limit": [number(row["total_limit"], hundred_million) for row in rows],
        "balance": [number(row["total_balance"], hundred_million) for row in rows],
        "debt_ratio": [number(row["debt_ratio"]) for row in rows],
        "debt_service_ratio": [number(row["debt_service_ratio"]) for row in rows],
    }


def consultations(today):
    """The most recent public consultations (by opening date) with the comments received
    and those shown publicly (one query)."""
    rows = (
        Consultation.objects.public()
        .filter(opens_on__lte=today)
        .annotate(
            received=Count("comments"),
            shown=Count("comments", filter=Q(comments__status="published")),
        )
        .order_by("-opens_on", "-id")
        .values("name", "opens_on", "closes_on", "received", "shown")[:CONSULTATIONS]
    )
    rows = list(rows)[::-1]
    return {
        "names": [row["name"] for row in rows],
        "opens_on": [row["opens_on"].isoformat() for row in rows],
        "open": [row["opens_on"] <= today <= row["closes_on"] for row in rows],
        "received": [row["received"] for row in rows],
        "shown": [row["shown"] for row in rows],
    }


def scorecards(today):
    """Per department, this year's compliance (:mod:`registry.compliance`, one query per
    check): the checks that apply to it and its shortfalls (the listed measures) per check,
    most shortfalls first; and the same shortfalls as a chart, one series per check."""
    checks = compliance.counts(year_period(today.year), today)
    cards = {}
    for check in checks:
        listed = [measure for measure in check["measures"] if measure["listed"]]
        for entry in check["departments"]:
            card = cards.setdefault(
                entry["department"],
                {"code": entry["department"], "name": entry["name"], "checks": 0, "items": []},
            )
            card["checks"] += 1
            for measure in listed:
                count = entry["counts"][measure["code"]]
                if count:
                    card["items"].append(
                        {
                            "check": check["code"],
                            "check_label": check["label"],
                            "measure_label": measure["label"],
                            "count": count,
                        }
                    )
    for card in cards.values():
        card["shortfalls"] = sum(item["count"] for item in card["items"])
    ordered = sorted(cards.values(), key=lambda card: (-card["shortfalls"], card["code"]))
    charted = [card for card in ordered if card["shortfalls"]][::-1]
    series = []
    for check in checks:
        data = [
            sum(item["count"] for item in card["items"] if item["check"] == check["code"])
            for card in charted
        ]
        if any(data):
            series.append({"name": check["label"], "data": data})
    return {
        "year": today.year,
        "cards": ordered,
        "chart": {"departments": [card["name"] for card in charted], "series": series},
    }


def labels():
    """The texts of the charts (titles, axes, series), translated."""
    return {
        "scorecards": _("各部门本年度公开合规问题（按检查项）"),
        "published": _("每月新公开记录数"),
        "enforcement": _("每月行政执法决定数（按决定类别）"),
        "debt": _("政府债务限额、余额与债务率、偿债率"),
        "consultations": _("公开征求意见与收到的意见"),
        "records": _("件"),
        "hundred_million": _("亿元"),
        "percent": "%",
        "limit": _("债务限额"),
        "balance": _("债务余额"),
        "debt_ratio": _("债务率"),
        "debt_service_ratio": _("偿债率"),
        "received": _("收到意见"),
        "shown": _("公开展示的意见"),
        "open_now": _("（征求意见中）"),
        "reported_at": _("报告节点："),
        "no_data": _("暂无数据"),
    }


def dashboard(today=None):
    """Everything the page draws."""
    today = today or timezone.localdate()
    return {
        "today": today.isoformat(),
        "labels": labels(),
        "published": published_by_month(today),
        "enforcement": enforcement_by_month(today),
        "debt": debt_by_year(),
        "consultations": consultations(today),
        "scorecards": scorecards(today),
    }
