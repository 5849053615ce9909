"""The random draw of 双随机、一公开 inspections, reproducible by anyone from the recorded
seed: each entity is ranked by SHA-256("<seed>:<entity key>") and the lowest ranks are
drawn; each drawn entity's inspectors are ranked by SHA-256("<seed>:<entity key>:<inspector
key>"). No language's random-number generator is involved."""

import hashlib
import math
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry import audit
from registry.choices import Action, AuditAction, RecordStatus
from registry.exceptions import TransitionError
from registry.permissions import can

ALGORITHM = "sha256-rank-v1"


def _key(item):
    return str(item.get("credit_code") or item.get("certificate_number") or item["name"])


def _rank(*parts):
    return hashlib.sha256(":".join(parts).encode()).hexdigest()


def compute_draw(seed, entity_pool, inspector_pool, ratio, per_entity):
    """The selection for a seed: a list of {entity, inspectors}."""
    count = min(len(entity_pool), math.ceil(len(entity_pool) * Decimal(str(ratio))))
    drawn = sorted(entity_pool, key=lambda e: _rank(seed, _key(e)))[:count]
    return [
        {
            **entity,
            "inspectors": [
                inspector["name"]
                for inspector in sorted(
                    inspector_pool, key=lambda i, e=entity: _rank(seed, _key(e), _key(i))
                )[:per_entity]
            ],
        }
        for entity in drawn
    ]


@transaction.atomic
def draw(plan, *, acting_user):
    """Draw the inspected entities and their inspectors (once)."""
    if not can(acting_user, Action.CHANGE, plan):
        raise PermissionDenied(_("您无权对该计划进行抽取。"))
    plan = type(plan).objects.select_for_update().get(pk=plan.pk)
    if plan.draw_seed:
        raise TransitionError(_("该计划已经抽取，不能重新抽取。"), code="already_drawn")
    if plan.status == RecordStatus.WITHDRAWN:
        raise TransitionError(_("已撤回的计划不能抽取。"), code="withdrawn")
    before = audit.snapshot(plan)
    plan.draw_seed = secrets.token_hex(16)
    plan.draw_algorithm = ALGORITHM
    plan.drawn_at = timezone.now()
    plan.selection = compute_draw(
        plan.draw_seed,
        plan.entity_pool,
        plan.inspector_pool,
        plan.sampling_ratio,
        plan.inspectors_per_entity,
    )
    plan.save()
    audit.record(
        plan,
        AuditAction.UPDATED,
        actor=acting_user,
        before=before,
        after=audit.snapshot(plan),
        reason="双随机抽取",
    )
    return plan


def verify(plan):
    """Re-run the recorded draw; True when it reproduces the published selection."""
    if not plan.draw_seed:
        return False
    return plan.selection == compute_draw(
        plan.draw_seed,
        plan.entity_pool,
        plan.inspector_pool,
        plan.sampling_ratio,
        plan.inspectors_per_entity,
    )
