"""State changes of enforcement decisions beyond the generic workflow: withdrawal after a
decision is changed, revoked or confirmed unlawful (《行政处罚法》 art. 48), and credit
repair (信用修复)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from enforcement.choices import ActionKind
from enforcement.services.deadlines import WITHDRAWAL_RULE
from registry import audit, deadlines
from registry.choices import Action, AuditAction, RecordStatus
from registry.exceptions import TransitionError
from registry.permissions import can
from registry.services import workflow


@transaction.atomic
def withdraw_action(action, *, acting_user, trigger, trigger_date, reason, legal_basis):
    """Withdraw a published decision because it was changed, revoked or confirmed unlawful.
    Due within 3 working days of the triggering event; the public record becomes a tombstone
    with the reason and legal ground."""
    if not can(acting_user, Action.PUBLISH, action):
        raise PermissionDenied(_("您无权撤回该执法决定。"))
    action = type(action).objects.select_for_update().get(pk=action.pk)
    if action.status == RecordStatus.WITHDRAWN:
        return action
    due = deadlines.compute(WITHDRAWAL_RULE, trigger_date)
    return workflow.withdraw(
        action,
        acting_user=acting_user,
        reason=reason,
        legal_basis=legal_basis,
        withdrawal_trigger=trigger,
        withdrawal_trigger_date=trigger_date,
        withdrawal_due=due.due,
    )


@transaction.atomic
def repair_credit(action, *, acting_user, decided_on, decided_by, document_number, note=""):
    """Record a credit repair decision: the penalty leaves the public lists from
    ``decided_on``, which may not be before the minimum display period has passed."""
    from enforcement.models import CreditRepair

    if not can(acting_user, Action.PUBLISH, action):
        raise PermissionDenied(_("您无权登记该执法决定的信用修复。"))
    action = type(action).objects.select_for_update().get(pk=action.pk)
    if action.kind != ActionKind.PENALTY or action.display_until is None:
        raise TransitionError(_("只有有公示期的行政处罚可以信用修复。"), code="not_penalty")
    if CreditRepair.objects.filter(action=action).exists():
        raise TransitionError(_("该决定已经信用修复。"), code="already_repaired")
    if decided_on < action.repair_possible_from:
        raise ValidationError(
            {
                "decided_on": _("最短公示期未满，%(date)s 起方可修复。")
                % {"date": action.repair_possible_from.isoformat()}
            }
        )
    repair = CreditRepair(
        action=action,
        decided_on=decided_on,
        decided_by=decided_by,
        document_number=document_number,
        note=note,
        recorded_by=acting_user,
    )
    repair.full_clean()
    repair.save()
    before = audit.snapshot(action)
    action.display_until = min(action.display_until, decided_on)
    action.save(update_fields=["display_until", "updated_at"])
    audit.record(
        action,
        AuditAction.AMENDED,
        actor=acting_user,
        before=before,
        after=audit.snapshot(action),
        reason=f"信用修复 {document_number}（{decided_by}）",
    )
    return repair
