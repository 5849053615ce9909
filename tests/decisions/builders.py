"""Builders for major-decision scenarios, all through the service functions (the way the API
and the admin change state), so tests exercise the same rules."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from decisions.models import (
    AdoptionReport,
    Catalogue,
    Consultation,
    Decision,
)
from decisions.services import consultations, documents, lifecycle, reviews
from registry.services import workflow

PDF = b"%PDF-1.4\n% test document\n"


def pdf(name="draft.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def catalogue(office, publisher_of_office, editor_of_office, *, year=2026, publish=True):
    record = workflow.create(
        Catalogue,
        acting_user=editor_of_office,
        department=office,
        name=f"{year}年度重大行政决策目录",
        date_made=datetime.date(year, 1, 15),
        year=year,
        approval_date=datetime.date(year, 1, 20),
    )
    if publish:
        record = workflow.publish(record, acting_user=publisher_of_office)
    return record


def decision(department, editor, catalogue_record, *, publisher=None, **fields):
    record = workflow.create(
        Decision,
        acting_user=editor,
        department=department,
        catalogue=catalogue_record,
        name=fields.pop("name", "关于城区停车收费标准调整的决策"),
        date_made=fields.pop("date_made", datetime.date(2026, 2, 1)),
        category=fields.pop("category", "public_policy"),
        background=fields.pop("background", "停车需求增长"),
        legal_basis=fields.pop("legal_basis", "《中华人民共和国价格法》"),
        **fields,
    )
    if publisher is not None:
        record = workflow.publish(record, acting_user=publisher)
    return record


def consultation(decision_record, editor, *, publisher=None, opens_on=None, days=30, **fields):
    opens_on = opens_on or timezone.localdate()
    record = workflow.create(
        Consultation,
        acting_user=editor,
        department=decision_record.department,
        decision=decision_record,
        name=fields.pop("name", f"关于《{decision_record.name}》公开征求意见的公告"),
        date_made=fields.pop("date_made", opens_on),
        opens_on=opens_on,
        closes_on=fields.pop("closes_on", opens_on + datetime.timedelta(days=days)),
        channels=fields.pop("channels", ["online", "email"]),
        **fields,
    )
    if publisher is not None:
        record = workflow.publish(record, acting_user=publisher)
    return record


def upload_draft(decision_record, editor, kind="draft"):
    return documents.upload(
        decision_record, acting_user=editor, kind=kind, title=f"{kind} 文本", file=pdf()
    )


def to_consultation(decision_record, editor, publisher, **consultation_fields):
    """planned -> drafting -> consultation (uploads a draft, publishes an open consultation)."""
    lifecycle.advance(decision_record, "drafting", acting_user=publisher)
    upload_draft(decision_record, editor)
    period = consultation(decision_record, editor, publisher=publisher, **consultation_fields)
    lifecycle.advance(decision_record, "consultation", acting_user=publisher)
    return period


def close_with_report(period, editor, publisher, *, today):
    """Publish an adoption report for a consultation that closed before ``today``."""
    report = workflow.create(
        AdoptionReport,
        acting_user=editor,
        department=period.department,
        consultation=period,
        name="意见采纳情况",
        date_made=today,
    )
    consultations.add_adoption_item(
        report, acting_user=editor, theme="收费标准", outcome="partly_adopted", reason="兼顾成本"
    )
    return workflow.publish(report, acting_user=publisher)


def lawful_review(decision_record, reviewer, started_on, completed_on, result="lawful"):
    review = reviews.start_review(decision_record, acting_user=reviewer, started_on=started_on)
    return reviews.complete_review(
        review,
        acting_user=reviewer,
        completed_on=completed_on,
        result=result,
        risk_disclosure="存在舆情风险" if result == "lawful_with_risk" else "",
    )


def part(model_class, decision_record, editor, *, publisher=None, **fields):
    record = workflow.create(
        model_class,
        acting_user=editor,
        department=decision_record.department,
        decision=decision_record,
        name=fields.pop("name", model_class._meta.verbose_name),
        date_made=fields.pop("date_made", datetime.date(2026, 6, 1)),
        **fields,
    )
    if publisher is not None:
        record = workflow.publish(record, acting_user=publisher)
    return record


def hearing_fields(held_at=None):
    held_at = held_at or timezone.now() + datetime.timedelta(days=20)
    return {
        "held_at": held_at,
        "place": "区政府3楼会议室",
        "selection_method": "自愿报名，随机抽取",
        "participants": [{"name": "张三", "sector": "市民代表"}],
        "materials_sent_on": timezone.localdate(held_at) - datetime.timedelta(days=7),
    }
