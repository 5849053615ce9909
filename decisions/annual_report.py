"""The major-decision tables of the annual disclosure report (registered from
``DecisionsConfig.ready()``): decisions by category and stage, and public consultations
with the comments received and how they were used. Only public records count: public
decisions (a fully withheld decision is left out), public consultations, and the adoption
items of public adoption reports. Comments are counted as received (every comment sent on
a counted consultation, whatever its moderation) and as shown publicly."""

from django.db.models import Count, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from decisions.choices import (
    Adoption,
    CommentStatus,
    ConsultationDocumentType,
    DecisionCategory,
    Stage,
)
from decisions.models import AdoptionItem, Comment, Consultation, Decision
from registry.annual_report.tables import Column, Table

DECISION_COLUMNS = (
    Column("listed", _("列入本年度目录")),
    *(
        Column(f"stage_{stage.value}", format_lazy(_("其中：{stage}"), stage=stage.label))
        for stage in Stage
    ),
    Column("decided", _("本年作出决定")),
)


def decisions_table(department, year):
    """Per category: public decisions of ``department`` in the ``year`` catalogue, by their
    current stage; and public decisions decided in ``year`` (from any year's catalogue).
    One query."""
    listed = Q(catalogue__year=year)
    decided = Q(decided_on__year=year)
    counts = (
        Decision.objects.public()
        .filter(department=department)
        .filter(listed | decided)
        .values("category", "stage")
        .annotate(listed=Count("pk", filter=listed), decided=Count("pk", filter=decided))
        .order_by()
    )
    rows = {
        category: {
            "key": category.value,
            "label": str(category.label),
            **{column.key: 0 for column in DECISION_COLUMNS},
        }
        for category in DecisionCategory
    }
    for found in counts:
        row = rows[found["category"]]
        row["listed"] += found["listed"]
        row[f"stage_{found['stage']}"] += found["listed"]
        row["decided"] += found["decided"]
    return list(rows.values())


CONSULTATION_COLUMNS = (
    Column("opened", _("本年开始征求意见")),
    Column("shortened", _("其中缩短征求意见期限")),
    Column("comments_received", _("收到意见")),
    Column("comments_published", _("其中公开展示")),
    Column("adopted", _("采纳")),
    Column("partly_adopted", _("部分采纳")),
    Column("not_adopted", _("未采纳")),
)


def consultations_table(department, year):
    """Per document type: public consultations of ``department`` that opened in ``year``
    (and how many had a shortened period), the comments sent on them, and the outcomes of
    the adoption items of their public adoption reports. Three queries."""
    counted = Consultation.objects.public().filter(department=department, opens_on__year=year)
    opened = counted.values("document_type").annotate(
        opened=Count("pk"), shortened=Count("pk", filter=~Q(shortening_reason=""))
    )
    comments = (
        Comment.objects.filter(consultation__in=counted.values("pk"))
        .values("consultation__document_type")
        .annotate(
            received=Count("pk"),
            published=Count("pk", filter=Q(status=CommentStatus.PUBLISHED)),
        )
    )
    items = (
        AdoptionItem.objects.filter(
            AdoptionItem.public_q(), report__consultation__in=counted.values("pk")
        )
        .values("report__consultation__document_type", "outcome")
        .annotate(count=Count("pk"))
    )
    rows = {
        kind: {
            "key": kind.value,
            "label": str(kind.label),
            **{column.key: 0 for column in CONSULTATION_COLUMNS},
        }
        for kind in ConsultationDocumentType
    }
    for found in opened.order_by():
        rows[found["document_type"]].update(opened=found["opened"], shortened=found["shortened"])
    for found in comments.order_by():
        row = rows[found["consultation__document_type"]]
        row.update(comments_received=found["received"], comments_published=found["published"])
    outcome_columns = {
        Adoption.ADOPTED: "adopted",
        Adoption.PARTLY_ADOPTED: "partly_adopted",
        Adoption.NOT_ADOPTED: "not_adopted",
    }
    for found in items.order_by():
        row = rows[found["report__consultation__document_type"]]
        row[outcome_columns[found["outcome"]]] += found["count"]
    return list(rows.values())


TABLES = (
    Table(
        key="decisions",
        title=_("重大行政决策情况（按决策类别）"),
        row_heading=_("决策类别"),
        columns=DECISION_COLUMNS,
        compute=decisions_table,
        order=20,
    ),
    Table(
        key="consultations",
        title=_("公开征求意见情况"),
        row_heading=_("文件类型"),
        columns=CONSULTATION_COLUMNS,
        compute=consultations_table,
        order=30,
    ),
)
