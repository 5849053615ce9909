"""Legality review (合法性审查): recorded by the district's legality reviewers."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from decisions.choices import LegalityResult, Stage
from registry import audit, deadlines
from registry.choices import AuditAction
from registry.exceptions import TransitionError
from registry.permissions import is_legality_reviewer
from registry.workdays import working_days_between

MINIMUM_RULE = "legality_review_min"


def _require_reviewer(user):
    if not is_legality_reviewer(user):
        raise PermissionDenied(_("只有合法性审查人员可以记录合法性审查。"))


@transaction.atomic
def start_review(decision, *, acting_user, started_on):
    """Record that the draft was sent for legality review on ``started_on``."""
    from decisions.models import LegalityReview

    _require_reviewer(acting_user)
    decision = type(decision).objects.select_for_update().get(pk=decision.pk)
    if decision.stage != Stage.LEGALITY_REVIEW:
        raise TransitionError(_("决策尚未进入合法性审查阶段。"), code="wrong_stage")
    if decision.legality_reviews.filter(completed_on__isnull=True).exists():
        raise TransitionError(_("该决策已有进行中的合法性审查。"), code="review_open")
    minimum = deadlines.compute(MINIMUM_RULE, started_on)
    review = LegalityReview(
        decision=decision,
        reviewer=acting_user,
        started_on=started_on,
        minimum_completed_on=minimum.due,
    )
    review.full_clean()
    review.save()
    audit.record(
        review,
        AuditAction.CREATED,
        actor=acting_user,
        after=audit.snapshot(review),
        department=decision.department,
    )
    return review


@transaction.atomic
def complete_review(
    review, *, acting_user, completed_on, result, risk_disclosure="", internal_notes=""
):
    """Record the review's conclusion. A review shorter than the minimum (7 working days,
    art. 27) is refused; a lawful-with-risk conclusion must disclose the risk."""
    _require_reviewer(acting_user)
    review = type(review).objects.select_for_update().get(pk=review.pk)
    if review.completed_on is not None:
        raise TransitionError(_("该合法性审查已经完成。"), code="already_completed")
    errors = {}
    if completed_on < review.minimum_completed_on:
        errors["completed_on"] = _(
            "合法性审查一般不少于7个工作日（第二十七条）：最早 %(due)s 完成。"
        ) % {"due": review.minimum_completed_on.isoformat()}
    if result == LegalityResult.LAWFUL_WITH_RISK and not risk_disclosure.strip():
        errors["risk_disclosure"] = _("存在风险的，须写明风险提示。")
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(review)
    review.completed_on = completed_on
    review.result = result
    review.risk_disclosure = risk_disclosure
    review.internal_notes = internal_notes
    review.working_days = working_days_between(review.started_on, completed_on)
    review.full_clean()
    review.save()
    audit.record(
        review,
        AuditAction.UPDATED,
        actor=acting_user,
        before=before,
        after=audit.snapshot(review),
        department=review.decision.department,
    )
    return review
