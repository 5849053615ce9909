"""The enforcement demo data covers every state the issue lists."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from enforcement.models import (
    CreditRepair,
    EnforcementAction,
    EnforcementOfficer,
    EnforcementPower,
    InspectionPlan,
    InspectionResult,
)
from enforcement.services import inspections


@pytest.mark.django_db
def test_demo_covers_every_state():
    call_command("load_demo")
    actions = EnforcementAction.objects
    today = timezone.localdate()
    assert actions.count() >= 250
    assert {d.year for d in actions.values_list("decision_date", flat=True)} == {
        today.year - 2,
        today.year - 1,
        today.year,
    }
    assert actions.filter(status="published").exists()
    assert actions.filter(status="withdrawn").exclude(withdrawal_due=None).exists()
    assert any(a.is_overdue for a in actions.filter(status="draft"))
    assert actions.filter(status="published", display_until__lt=today).exists()  # expired
    assert CreditRepair.objects.exists()
    assert actions.filter(party_kind="natural_person", status="published").exists()
    minors = actions.filter(party_is_minor=True)
    assert minors.exists() and not minors.filter(status="published").exists()
    assert set(actions.values_list("kind", flat=True)) >= {"penalty", "licence", "inspection"}
    assert EnforcementPower.objects.count() >= 8 and EnforcementOfficer.objects.count() >= 20
    plan = InspectionPlan.objects.get()
    assert inspections.verify(plan)
    assert InspectionResult.objects.filter(plan=plan).count() == len(plan.selection)
    call_command("verify_audit")
