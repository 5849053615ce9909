"""The procedure of a major decision as a state machine. Each transition names the step that
is missing when it is refused; the rules follow 《重大行政决策程序暂行条例》."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from decisions.choices import LAWFUL_RESULTS, Confidentiality, DocumentKind, Stage
from decisions.models.decision import local_today
from registry import audit
from registry.choices import Action, AuditAction, RecordStatus
from registry.exceptions import TransitionError
from registry.permissions import can

# Stage -> the stages it may be reached from.
ALLOWED_FROM = {
    Stage.DRAFTING: (Stage.PLANNED,),
    Stage.CONSULTATION: (Stage.DRAFTING,),
    Stage.LEGALITY_REVIEW: (Stage.CONSULTATION, Stage.DRAFTING),
    Stage.DELIBERATION: (Stage.LEGALITY_REVIEW,),
    Stage.DECIDED: (Stage.DELIBERATION,),
    Stage.IMPLEMENTING: (Stage.DECIDED, Stage.SUSPENDED),
    Stage.EVALUATED: (Stage.IMPLEMENTING,),
    Stage.SUSPENDED: (Stage.DECIDED, Stage.IMPLEMENTING),
    Stage.WITHDRAWN: (
        Stage.PLANNED,
        Stage.DRAFTING,
        Stage.CONSULTATION,
        Stage.LEGALITY_REVIEW,
        Stage.DELIBERATION,
    ),
}


def _missing(message):
    raise TransitionError(message, code="missing_step")


def _check_consultation(decision, today):
    if not decision.documents.filter(kind=DocumentKind.DRAFT).exists():
        _missing(_("缺少步骤：尚未上传决策草案。"))
    if not decision.consultations.filter(
        status=RecordStatus.PUBLISHED, opens_on__lte=today
    ).exists():
        _missing(_("缺少步骤：尚未发布并开始公开征求意见。"))


def _check_legality_review(decision, today):
    if decision.stage == Stage.DRAFTING:
        if decision.confidentiality == Confidentiality.NONE:
            _missing(_("缺少步骤：公开的决策须先公开征求意见（第十四条）。"))
        return
    consultations = decision.consultations.filter(status=RecordStatus.PUBLISHED)
    if consultations.filter(closes_on__gte=today).exists():
        _missing(_("缺少步骤：征求意见期限尚未届满。"))
    if consultations.exclude(adoption_report__status=RecordStatus.PUBLISHED).exists():
        _missing(_("缺少步骤：尚未发布意见采纳情况。"))


def _check_deliberation(decision, today):
    review = decision.legality_reviews.filter(completed_on__isnull=False).order_by("-id").first()
    if review is None:
        _missing(_("缺少步骤：合法性审查尚未完成。"))
    if review.result not in LAWFUL_RESULTS:
        _missing(_("缺少步骤：合法性审查结论为不合法，须修改后重新送审。"))
    if review.completed_on < review.minimum_completed_on:
        _missing(_("缺少步骤：合法性审查时间不足（第二十七条，一般不少于7个工作日）。"))


def _check_decided(decision, today, details):
    errors = {}
    for field in ("decided_on", "document_number", "final_text"):
        if not details.get(field):
            errors[field] = _("作出决定须填写此项。")
    if decision.public_interest_high and not details.get("adoption_explanation"):
        errors["adoption_explanation"] = _("涉及重大公共利益的决策须说明公众意见采纳情况。")
    if errors:
        raise ValidationError(errors)


def _check_evaluated(decision, today):
    if not decision.evaluations.filter(status=RecordStatus.PUBLISHED).exists():
        _missing(_("缺少步骤：尚未发布决策后评估报告。"))


CHECKS = {
    Stage.CONSULTATION: _check_consultation,
    Stage.LEGALITY_REVIEW: _check_legality_review,
    Stage.DELIBERATION: _check_deliberation,
    Stage.EVALUATED: _check_evaluated,
}
DECISION_FIELDS = ("decided_on", "document_number", "final_text", "adoption_explanation")


@transaction.atomic
def advance(decision, stage, *, acting_user, reason="", **details):
    """Move ``decision`` to ``stage`` if the procedure allows it."""
    stage = Stage(stage)
    if not can(acting_user, Action.PUBLISH, decision):
        raise PermissionDenied(_("只有承办部门的发布员可以推进决策程序。"))
    decision = type(decision).objects.select_for_update().get(pk=decision.pk)
    if decision.stage == stage:
        return decision
    allowed = ALLOWED_FROM.get(stage, ())
    if decision.stage not in allowed:
        raise TransitionError(
            _("不能从“%(current)s”进入“%(target)s”；须先处于：%(allowed)s。")
            % {
                "current": decision.get_stage_display(),
                "target": stage.label,
                "allowed": "、".join(str(Stage(s).label) for s in allowed) or "—",
            },
            code="illegal_transition",
        )
    today = local_today()
    if stage in (Stage.SUSPENDED, Stage.WITHDRAWN) and not reason.strip():
        raise ValidationError({"reason": _("中止执行或调出目录必须公开说明理由。")})
    if stage == Stage.DECIDED:
        _check_decided(decision, today, details)
    elif stage in CHECKS:
        CHECKS[stage](decision, today)
    before = audit.snapshot(decision)
    decision.stage = stage
    decision.stage_changed_at = timezone.now()
    if stage in (Stage.SUSPENDED, Stage.WITHDRAWN):
        decision.stage_reason = reason
    if stage == Stage.DECIDED:
        for field in DECISION_FIELDS:
            setattr(decision, field, details.get(field) or "")
    decision.save()
    audit.record(
        decision,
        AuditAction.STAGE_CHANGED,
        actor=acting_user,
        before=before,
        after=audit.snapshot(decision),
        reason=reason,
    )
    return decision
