"""Consultation periods, public comments, moderation and the adoption report."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from decisions.choices import CommentStatus
from registry import audit, deadlines
from registry.choices import Action, AuditAction, RecordStatus
from registry.exceptions import TransitionError
from registry.permissions import can

# Deadline rule per consultation document type (the minimum comment period).
MINIMUM_PERIOD_RULES = {
    "major_decision": "consultation_min_major_decision",
    "normative_document": "consultation_min_normative_document",
}


def check_period(consultation):
    """Refuse a period shorter than the rule table's minimum unless a shortening reason is
    given (it is published with the call); record the minimum that applied."""
    if consultation.closes_on < consultation.opens_on:
        raise ValidationError({"closes_on": _("截止日期不能早于开始日期。")})
    minimum = deadlines.compute(
        MINIMUM_PERIOD_RULES[consultation.document_type], consultation.opens_on
    )
    consultation.minimum_closes_on = minimum.due
    consultation.minimum_rule = f"{minimum.rule_code}@v{minimum.rule_version}"
    if consultation.closes_on < minimum.due and not consultation.shortening_reason.strip():
        raise ValidationError(
            {
                "closes_on": _(
                    "征求意见期限短于法定最低期限（最早截止 %(due)s，依据：%(basis)s）；"
                    "确需缩短的，请填写并公布缩短理由（shortening_reason）。"
                )
                % {"due": minimum.due.isoformat(), "basis": minimum.legal_basis}
            }
        )


def prepublish_decision(consultation):
    """Publishing a consultation pre-publishes its decision's draft, explanation and basis
    from the day the period opens (预公开)."""
    decision = consultation.decision
    if decision.prepublished_on is None or consultation.opens_on < decision.prepublished_on:
        decision.prepublished_on = consultation.opens_on
        decision.save(update_fields=["prepublished_on", "updated_at"])


@transaction.atomic
def extend(consultation, *, acting_user, closes_on, notice):
    """Extend a published period with a public notice. Periods are never shortened."""
    if not can(acting_user, Action.PUBLISH, consultation):
        raise PermissionDenied(_("您无权延长该征求意见期限。"))
    consultation = type(consultation).objects.select_for_update().get(pk=consultation.pk)
    if consultation.status != RecordStatus.PUBLISHED:
        raise TransitionError(_("只有已发布的征求意见可以延长；草稿请直接修改。"))
    errors = {}
    if closes_on <= consultation.closes_on:
        errors["closes_on"] = _("只能延长，不能缩短：新截止日期须晚于 %(current)s。") % {
            "current": consultation.closes_on.isoformat()
        }
    if not (notice or "").strip():
        errors["notice"] = _("延长须发布公告说明理由。")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(consultation)
    consultation.closes_on = closes_on
    consultation.extension_notice = notice
    consultation.revision += 1
    consultation.amended_at = timezone.now()
    consultation.save()
    audit.record(
        consultation,
        AuditAction.AMENDED,
        actor=acting_user,
        before=before,
        after=audit.snapshot(consultation),
        reason=notice,
    )
    return consultation


@transaction.atomic
def submit_comment(consultation, *, content, author_name="", contact=""):
    """Accept a public comment while the period is open; the server's clock decides (the
    period closes at the end of its closing day, Asia/Shanghai). The clock is read once, as
    the comment arrives: the same instant decides whether it is in time and is stored as its
    submission time, so no comment stored as submitted after the close was accepted."""
    from decisions.models import Comment

    submitted_at = timezone.now()
    today = timezone.localdate(submitted_at)
    # Lock the consultation row: a comment and an extension or withdrawal never interleave.
    consultation = type(consultation).objects.select_for_update().get(pk=consultation.pk)
    if not consultation.is_open(today):
        if consultation.status == RecordStatus.PUBLISHED and today < consultation.opens_on:
            raise TransitionError(
                _("征求意见尚未开始（%(opens)s 开始）。") % {"opens": consultation.opens_on},
                code="not_open_yet",
            )
        raise TransitionError(
            _("征求意见已于 %(closes)s 截止，不再接受意见。") % {"closes": consultation.closes_on},
            code="closed",
        )
    comment = Comment(
        consultation=consultation,
        content=content,
        author_name=author_name,
        contact=contact,
        submitted_at=submitted_at,
    )
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def moderate_comment(comment, *, acting_user, publish, rejection_reason="", note=""):
    """Publish a comment or reject it with a reason (spam, abusive, off-topic, duplicate)."""
    if not can(acting_user, Action.CHANGE, comment):
        raise PermissionDenied(_("您无权审核该意见。"))
    comment = type(comment).objects.select_for_update().get(pk=comment.pk)
    if not publish and not rejection_reason:
        raise ValidationError({"rejection_reason": _("不予展示必须选择理由。")})
    before = audit.snapshot(comment)
    was_public = comment.status == CommentStatus.PUBLISHED
    comment.status = CommentStatus.PUBLISHED if publish else CommentStatus.REJECTED
    comment.rejection_reason = "" if publish else rejection_reason
    comment.moderation_note = note
    comment.moderated_at = timezone.now()
    comment.full_clean()
    comment.save()
    if publish:
        action = AuditAction.PUBLISHED  # a public event: portals mirror published comments
    else:
        action = AuditAction.WITHDRAWN if was_public else AuditAction.UPDATED
    audit.record(
        comment,
        action,
        actor=acting_user,
        before=before,
        after=audit.snapshot(comment),
        department=comment.consultation.department,
    )
    return comment


@transaction.atomic
def add_adoption_item(report, *, acting_user, **fields):
    """Add an item to an adoption report that is not yet published."""
    from decisions.models import AdoptionItem

    if not can(acting_user, Action.CHANGE, report):
        raise PermissionDenied(_("您无权修改该采纳情况。"))
    if report.status not in (RecordStatus.DRAFT, RecordStatus.PENDING_REVIEW):
        raise TransitionError(_("已发布的采纳情况只能通过更正修改。"))
    item = AdoptionItem(report=report, **fields)
    item.full_clean()
    item.save()
    audit.record(
        item,
        AuditAction.CREATED,
        actor=acting_user,
        after=audit.snapshot(item),
        department=report.department,
    )
    return item
