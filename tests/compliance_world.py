"""The data of the compliance tests: records of known lateness on the 2026 calendar, built
through the service functions with the clock set to each event's day.

Every due date below is worked out by hand from the 2026 State Council holiday notice
(Mid-Autumn 25–27 September; National Day 1–7 October; adjusted workdays Sunday 20 September
and Saturday 10 October), independently of the deadline engine. The reports are read on
``TODAY``, Tuesday 20 October 2026."""

import contextlib
import datetime
from unittest import mock
from zoneinfo import ZoneInfo

from django.utils import timezone

from decisions.models import Decision
from decisions.services import lifecycle
from enforcement.models import InspectionResult
from enforcement.services import actions, inspections
from registry.services import workflow
from tests.decisions import builders as decision_builders
from tests.enforcement import builders as enforcement_builders
from tests.fiscal import builders as fiscal_builders
from tests.world import people_world

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.date
TODAY = D(2026, 10, 20)

# Penalties decided on Tuesday 29 September are due 7 working days later: 30 September (1),
# 8, 9, 10 (the adjusted Saturday), 12, 13 and 14 October (7).
DUE_AFTER_29_SEPTEMBER = D(2026, 10, 14)
# Decided Friday 16 October: 19, 20, 21, 22, 23, 26, 27 October.
DUE_AFTER_16_OCTOBER = D(2026, 10, 27)
# Decided Tuesday 1 September: 2, 3, 4, 7, 8, 9, 10 September.
DUE_AFTER_1_SEPTEMBER = D(2026, 9, 10)
# Withdrawal within 3 working days of Wednesday 30 September: 8, 9 and 10 October (Saturday,
# an adjusted workday).
WITHDRAWAL_DUE_AFTER_30_SEPTEMBER = D(2026, 10, 10)
# ... of Monday 12 October: 13, 14, 15 October.
WITHDRAWAL_DUE_AFTER_12_OCTOBER = D(2026, 10, 15)
# An inspection ended Thursday 10 September: its result is due 20 working days later:
# 11, 14, 15, 16, 17, 18, 20 (Sunday, adjusted), 21, 22, 23, 24, 28, 29, 30 September,
# 8, 9, 10, 12, 13, 14 October.
INSPECTION_DUE = D(2026, 10, 14)
# Five working days after TODAY: 21, 22, 23, 26, 27 October.
HORIZON_5 = D(2026, 10, 27)


def instant(day, hour=10):
    return datetime.datetime.combine(day, datetime.time(hour), SHANGHAI)


@contextlib.contextmanager
def clock(day, hour=10):
    """``timezone.now()`` (and so ``localdate()``) at ``hour`` o'clock Shanghai on ``day``."""
    moment = instant(day, hour)
    with mock.patch.object(timezone, "now", lambda: moment):
        yield


def build():
    w = people_world()
    editor, publisher = w.users["editor"], w.users["publisher"]
    other_editor, other_publisher = w.users["other_editor"], w.users["other_publisher"]
    for name in ("editor", "publisher", "department_admin", "other_editor", "other_publisher"):
        w.users[name].email = f"{name}@bishan.example.cn"
        w.users[name].save(update_fields=["email"])
    _enforcement(w, editor, publisher, other_editor, other_publisher)
    _decisions(w, editor, publisher, w.users["legality_reviewer"])
    _fiscal(w, editor, publisher)
    return w


def _enforcement(w, editor, publisher, other_editor, other_publisher):
    with clock(D(2026, 1, 5)):
        body = enforcement_builders.body(w.fgw, editor, publisher=publisher)
        power = enforcement_builders.power(body, editor, publisher=publisher)
        other_body = enforcement_builders.body(
            w.scjgj, other_editor, publisher=other_publisher, name="璧山区另一执法主体"
        )
        other_power = enforcement_builders.power(
            other_body, other_editor, publisher=other_publisher, code="330202"
        )

    def penalty(number, decided, published=None, *, own=True, **fields):
        power_, editor_, publisher_ = (
            (power, editor, publisher) if own else (other_power, other_editor, other_publisher)
        )
        with clock(decided):
            record = enforcement_builders.penalty(
                power_,
                editor_,
                name=f"处罚案{number}",
                document_number=f"璧市监罚〔2026〕{number}号",
                decision_date=decided,
                **fields,
            )
        if published is not None:
            with clock(published):
                record = workflow.publish(record, acting_user=publisher_)
        return record

    w.on_time = penalty(1, D(2026, 9, 29), DUE_AFTER_29_SEPTEMBER)
    w.late = penalty(2, D(2026, 9, 29), D(2026, 10, 16))  # 15, 16 October: 2 working days
    w.overdue = penalty(3, D(2026, 9, 29))  # by TODAY: 15, 16, 19, 20 October: 4
    w.not_yet_due = penalty(4, D(2026, 10, 16))
    w.minor = penalty(5, D(2026, 9, 29), party_is_minor=True)  # never published, never due
    w.withdrawn_late = penalty(6, D(2026, 9, 1), D(2026, 9, 2))
    w.withdrawn_on_time = penalty(7, D(2026, 9, 1), D(2026, 9, 2))
    # scjgj's only decision: published on 15 October, 1 working day late.
    w.other_late = penalty(8, D(2026, 9, 29), D(2026, 10, 15), own=False)
    with clock(D(2026, 10, 12)):  # 12 October: 1 working day after the 10th
        actions.withdraw_action(
            w.withdrawn_late,
            acting_user=publisher,
            trigger="revoked",
            trigger_date=D(2026, 9, 30),
            reason="行政复议决定撤销原处罚决定",
            legal_basis="《行政处罚法》第四十八条第二款",
        )
    with clock(D(2026, 10, 14)):
        actions.withdraw_action(
            w.withdrawn_on_time,
            acting_user=publisher,
            trigger="changed",
            trigger_date=D(2026, 10, 12),
            reason="行政复议决定变更原处罚决定",
            legal_basis="《行政处罚法》第四十八条第二款",
        )
    with clock(D(2026, 9, 11)):
        plan = enforcement_builders.plan(body, editor, publisher=publisher)
        plan = inspections.draw(plan, acting_user=editor)
        w.inspection = workflow.create(
            InspectionResult,
            acting_user=editor,
            department=w.fgw,
            body=body,
            plan=plan,
            name="抽查结果",
            date_made=D(2026, 9, 11),
            entity_name=plan.selection[0]["name"],
            inspected_from=D(2026, 9, 8),
            inspected_until=D(2026, 9, 10),
            outcome="no_problem",
        )


def _decisions(w, editor, publisher, reviewer):
    with clock(D(2026, 1, 15)):
        catalogue = decision_builders.catalogue(w.fgw, publisher, editor)
    with clock(D(2026, 9, 1)):
        shortened = decision_builders.decision(w.fgw, editor, catalogue, name="防汛设施建设决策")
        w.shortened = decision_builders.to_consultation(
            shortened,
            editor,
            publisher,
            opens_on=D(2026, 9, 1),
            closes_on=D(2026, 9, 15),  # the minimum is 30 calendar days: 1 October
            shortening_reason="汛期临近，须在九月中旬前确定方案",
        )
        full = decision_builders.decision(w.fgw, editor, catalogue, name="停车收费决策")
        w.full_period = decision_builders.to_consultation(
            full, editor, publisher, opens_on=D(2026, 9, 1)
        )
        # Decided without any legality review: the procedure refuses it, so this is data
        # that bypassed it (written straight to the table).
        w.unreviewed = decision_builders.decision(w.fgw, editor, catalogue, name="未经审查的决策")
        w.reviewed, w.unlawful = (
            decision_builders.decision(
                w.fgw,
                editor,
                catalogue,
                name=name,
                confidentiality="draft_withheld",
                confidentiality_ground="《中华人民共和国保守国家秘密法》第九条",
            )
            for name in ("经合法性审查的决策", "审查结论为不合法的决策")
        )
        for decision in (w.reviewed, w.unlawful):
            lifecycle.advance(decision, "drafting", acting_user=publisher)
            lifecycle.advance(decision, "legality_review", acting_user=publisher)
    # 7 working days after 1 September: 10 September.
    decision_builders.lawful_review(w.reviewed, reviewer, D(2026, 9, 1), D(2026, 9, 10))
    decision_builders.lawful_review(
        w.unlawful, reviewer, D(2026, 9, 1), D(2026, 9, 10), result="unlawful"
    )
    with clock(D(2026, 9, 11)):
        lifecycle.advance(w.reviewed, "deliberation", acting_user=publisher)
    Decision.objects.filter(pk=w.unreviewed.pk).update(
        stage="decided", decided_on=D(2026, 10, 9), stage_changed_at=instant(D(2026, 10, 9))
    )
    Decision.objects.filter(pk=w.unlawful.pk).update(
        stage="deliberation", stage_changed_at=instant(D(2026, 9, 20))
    )
    with clock(D(2026, 2, 1)):
        w.withheld = {
            reassess_on: decision_builders.decision(
                w.fgw,
                editor,
                catalogue,
                name=f"不予公开的决策（{reassess_on}）",
                withheld_ground="process_information",
                withheld_legal_basis="《中华人民共和国政府信息公开条例》第十六条第二款",
                withheld_reassess_on=reassess_on,
            )
            for reassess_on in (D(2026, 10, 1), D(2026, 10, 23), None)
        }


def _fiscal(w, editor, publisher):
    with clock(D(2026, 3, 2)):
        w.disclosed_project = fiscal_builders.project(
            w.fgw, editor, publisher=publisher, code="P2026-001"
        )
        w.undisclosed_project = fiscal_builders.project(
            w.fgw, editor, code="P2026-002", name="璧山区某医院门诊楼改造", category="hospital"
        )
        # 400,000 yuan: below the 500,000 threshold of other projects, nothing to disclose.
        fiscal_builders.project(w.fgw, editor, code="P2026-003", category="other", amount="400000")
    with clock(D(2024, 5, 21)):
        w.bond_missing = fiscal_builders.bond(
            w.fgw, editor, publisher=publisher, code="B2024", issue=D(2024, 5, 20)
        )
    with clock(D(2025, 6, 20)):
        fiscal_builders.disclosure(w.bond_missing, editor, publisher=publisher, year=2025)
    with clock(D(2025, 3, 2)):
        w.bond_late = fiscal_builders.bond(
            w.fgw, editor, publisher=publisher, code="B2025", issue=D(2025, 3, 1)
        )
    # 2026's disclosure published on Friday 3 July: 1, 2, 3 July, 3 working days late.
    with clock(D(2026, 7, 3)):
        fiscal_builders.disclosure(w.bond_late, editor, publisher=publisher, year=2026)
    with clock(D(2026, 1, 11)):
        # Issued in 2026: its first annual disclosure is due in 2027.
        fiscal_builders.bond(w.fgw, editor, publisher=publisher, code="B2026", issue=D(2026, 1, 10))
