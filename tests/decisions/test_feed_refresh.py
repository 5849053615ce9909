"""The change feed stays faithful when public content changes without a write on the record
itself: records that embed or depend on another are refreshed with it, and the daily refresh
announces what the date changed (registry/audit.py, registry/refresh.py)."""

import datetime

import pytest
from django.utils import timezone

from decisions.models import Consultation, Decision, DecisionDocument
from decisions.services import lifecycle
from registry import changes
from registry.demo import as_of
from registry.models import AuditEntry
from registry.refresh import refresh_public_states
from registry.services import workflow
from tests.decisions import builders

pytestmark = pytest.mark.django_db


def events_since(seq):
    """(resource, id, event, state) of the feed after ``seq``."""
    events, _last = changes.page(seq, 1000)
    return [(e["resource"], e["id"], e["event"], e["state"]) for e in events]


def last_seq():
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_a_document_added_to_a_public_decision_is_announced_with_the_decision(
    decision, users, committed
):
    before = last_seq()
    document = committed(builders.upload_draft, decision, users["editor"], kind="final_text")
    assert events_since(before) == [
        ("decision-documents", document.pk, "published", "present"),
        ("decisions", decision.pk, "refreshed", "present"),
    ]


def test_publishing_a_consultation_announces_the_decision_and_its_now_public_draft(
    decision, users, committed
):
    before = last_seq()
    period = committed(builders.to_consultation, decision, users["editor"], users["publisher"])
    draft = DecisionDocument.objects.get(decision=decision, kind="draft")
    feed = events_since(before)
    assert ("consultations", period.pk, "published", "present") in feed
    assert ("decisions", decision.pk, "refreshed", "present") in feed
    assert ("decision-documents", draft.pk, "refreshed", "present") in feed


def test_the_daily_refresh_announces_what_the_date_changed_once(decision, users, committed):
    opens_on = timezone.localdate() + datetime.timedelta(days=5)

    def announce_consultation():
        lifecycle.advance(decision, "drafting", acting_user=users["publisher"])
        builders.upload_draft(decision, users["editor"])
        return builders.consultation(
            decision, users["editor"], publisher=users["publisher"], opens_on=opens_on, days=30
        )

    period = committed(announce_consultation)
    draft = DecisionDocument.objects.get(decision=decision, kind="draft")
    assert not DecisionDocument.objects.public().filter(pk=draft.pk).exists()
    assert committed(refresh_public_states) == 0  # nothing changed today

    before = last_seq()
    with as_of(opens_on):
        assert committed(refresh_public_states) > 0
        feed = events_since(before)
        # The consultation is open now, and the draft became public (预公开).
        assert ("consultations", period.pk, "refreshed", "present") in feed
        assert ("decision-documents", draft.pk, "refreshed", "present") in feed
        assert committed(refresh_public_states) == 0  # idempotent within the day

    before = last_seq()
    with as_of(opens_on + datetime.timedelta(days=31)):
        committed(refresh_public_states)
        assert ("consultations", period.pk, "refreshed", "present") in events_since(before)
        assert Consultation.objects.get(pk=period.pk).is_open() is False


def test_withdrawing_a_decision_takes_its_parts_and_documents_off_the_feed(
    decision, users, committed
):
    period = committed(builders.to_consultation, decision, users["editor"], users["publisher"])
    draft = DecisionDocument.objects.get(decision=decision, kind="draft")
    before = last_seq()
    committed(
        workflow.withdraw,
        Decision.objects.get(pk=decision.pk),
        acting_user=users["publisher"],
        reason="决策事项取消",
        legal_basis="《重大行政决策程序暂行条例》",
    )
    feed = events_since(before)
    assert ("decisions", decision.pk, "withdrawn", "tombstone") in feed
    assert ("consultations", period.pk, "refreshed", "removed") in feed
    assert ("decision-documents", draft.pk, "refreshed", "removed") in feed
    assert committed(refresh_public_states) == 0  # the feed already said it all


def test_a_draft_never_appears_in_the_refresh(decision, users, committed):
    draft_decision = builders.decision(decision.department, users["editor"], decision.catalogue)
    before = last_seq()
    committed(refresh_public_states)
    assert ("decisions", draft_decision.pk) not in {e[:2] for e in events_since(before)}
