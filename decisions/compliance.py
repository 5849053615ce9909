"""Compliance checks and deadline sources of the major-decision registry, registered with
:mod:`registry.compliance` from ``DecisionsConfig.ready()``."""

from django.db.models import BooleanField, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from decisions.choices import LAWFUL_RESULTS, Stage
from decisions.models import Consultation, Decision, LegalityReview
from registry.compliance import registration
from registry.compliance.checks import Check, Measure, WithheldReassessment, local_date
from registry.compliance.deadlines import ReassessmentDeadlines

# The stages a decision reaches only through collective deliberation, which needs a
# completed, lawful legality review of sufficient length first (lifecycle._check_deliberation).
DELIBERATED_STAGES = (
    Stage.DELIBERATION,
    Stage.DECIDED,
    Stage.IMPLEMENTING,
    Stage.EVALUATED,
    Stage.SUSPENDED,
)


class ShortenedConsultation(Check):
    """Published consultations whose period ends before the rule table's minimum
    (``minimum_closes_on``), with the shortening reason published with the call."""

    code = "consultation_shortened"
    label = _("缩短征求意见期限")
    legal_basis = _("《重大行政决策程序暂行条例》（国务院令第713号）第十五条")
    registry = "decisions"
    model = Consultation
    period_label = _("征求意见开始日期")
    measures = (
        Measure("opened", _("公开征求意见")),
        Measure("shortened", _("期限短于法定最低期限"), listed=True),
        Measure("without_reason", _("缩短而未公布理由")),
    )
    detail_fields = (
        "opens_on",
        "closes_on",
        "minimum_closes_on",
        "minimum_rule",
        "shortening_reason",
        "document_type",
    )

    def rows(self, period, today):
        return Consultation.objects.filter(period.q("opens_on"), published_at__isnull=False)

    def condition(self, measure, today):
        shortened = Q(closes_on__lt=F("minimum_closes_on"))
        return {
            "opened": Q(pk__isnull=False),
            "shortened": shortened,
            "without_reason": shortened & Q(shortening_reason=""),
        }[measure]

    def extra(self, row):
        return {
            "document_type": row["document_type"],
            "opens_on": row["opens_on"],
            "closes_on": row["closes_on"],
            "minimum_closes_on": row["minimum_closes_on"],
            "minimum_rule": row["minimum_rule"],
            "calendar_days_short": (row["minimum_closes_on"] - row["closes_on"]).days,
            "shortening_reason": row["shortening_reason"],
        }


class DeliberationWithoutReview(Check):
    """Decisions at or past collective deliberation whose latest completed legality review
    is missing, not lawful, or shorter than its minimum (art. 25–27). The procedure refuses
    this (lifecycle), so every row found is data that bypassed it: there should be none."""

    code = "deliberation_without_legality_review"
    label = _("未经合法性审查或审查不合法即提交集体讨论")
    legal_basis = _("《重大行政决策程序暂行条例》（国务院令第713号）第二十五条至第二十七条")
    registry = "decisions"
    model = Decision
    period_label = _("决定日期；尚未决定的，为进入当前阶段的日期")
    measures = (
        Measure("deliberated", _("已进入集体讨论或已决定")),
        Measure("without_lawful_review", _("无合法有效的合法性审查"), listed=True),
    )
    detail_fields = ("stage", "decided_on", "review_result_", "review_completed_on_")

    def rows(self, period, today):
        latest = LegalityReview.objects.filter(
            decision=OuterRef("pk"), completed_on__isnull=False
        ).order_by("-id")
        lawful = LegalityReview.objects.filter(
            pk=OuterRef("review_"),
            result__in=LAWFUL_RESULTS,
            completed_on__gte=F("minimum_completed_on"),
        )
        return (
            Decision.objects.filter(stage__in=DELIBERATED_STAGES)
            .annotate(
                reached_day=Coalesce("decided_on", local_date("stage_changed_at")),
                review_=Subquery(latest.values("pk")[:1]),
            )
            .filter(period.q("reached_day"))
            .annotate(
                lawful_review_=Exists(lawful, output_field=BooleanField()),
                review_result_=Subquery(latest.values("result")[:1]),
                review_completed_on_=Subquery(latest.values("completed_on")[:1]),
            )
        )

    def condition(self, measure, today):
        return {
            "deliberated": Q(pk__isnull=False),
            "without_lawful_review": Q(lawful_review_=False),
        }[measure]

    def extra(self, row):
        return {
            "stage": row["stage"],
            "decided_on": row["decided_on"],
            "latest_review_result": row["review_result_"] or None,
            "latest_review_completed_on": row["review_completed_on_"],
        }


def register():
    for check in (
        ShortenedConsultation(),
        DeliberationWithoutReview(),
        WithheldReassessment("decisions"),
    ):
        registration.register_check(check)
    registration.register_deadlines(ReassessmentDeadlines("decisions"))
