"""Aggregate statistics of the major-decision registry for researchers (GraphQL): the same
rows and filters as the lists, grouped and aggregated in the database."""

import graphene
from django.db.models import Q

from decisions.api import filters
from decisions.graphql import CommentType, ConsultationType, DecisionType, LegalityReviewType
from decisions.models import Comment, Consultation, Decision, LegalityReview
from registry.graphql import statistics as stats

decision_statistics = stats.statistics_field(
    "Decision",
    Decision,
    DecisionType,
    filters.DecisionFilterSet,
    dimensions={
        "department": stats.department(description="承办单位 (sponsor department)"),
        "year": stats.year("decided_on", "决定年份 (year of decided_on)"),
        "month": stats.month("decided_on", "决定月份 (month of decided_on, 1–12)"),
        "category": stats.value("category"),
        "stage": stats.value("stage"),
        "status": stats.value("status"),
        "confidentiality": stats.value("confidentiality"),
        "public_interest_high": stats.value("public_interest_high"),
    },
    measures={
        "days_from_prepublication": stats.days_between(
            "decided_on",
            "prepublished_on",
            "预公开至作出决定的天数 (calendar days from prepublished_on to decided_on)",
        ),
    },
    description="重大行政决策统计 (statistics of major decisions over the rows the list shows)",
)

consultation_statistics = stats.statistics_field(
    "Consultation",
    Consultation,
    ConsultationType,
    filters.ConsultationFilterSet,
    dimensions={
        "department": stats.department(),
        "year": stats.year("opens_on", "征求意见开始年份 (year of opens_on)"),
        "month": stats.month("opens_on", "征求意见开始月份 (month of opens_on, 1–12)"),
        "document_type": stats.value("document_type"),
        "shortened": stats.flag(
            ~Q(shortening_reason=""),
            ["shortening_reason"],
            "是否缩短了征求意见期限（公布了缩短理由） (period shortened with a published reason)",
        ),
        "shortening_reason": stats.value(
            "shortening_reason", "缩短期限的理由；未缩短为 null (reason; null if not shortened)"
        ),
        "status": stats.value("status"),
    },
    measures={
        "duration_days": stats.days_between(
            "closes_on", "opens_on", "征求意见期限（自然日，截止日期减开始日期） (closes − opens)"
        ),
        "days_to_decision": stats.days_between(
            "decision__decided_on",
            "closes_on",
            "征求意见截止至作出决定的天数 (decision's decided_on − closes_on)",
        ),
    },
    description="公开征求意见统计 (statistics of public consultations)",
)

legality_review_statistics = stats.statistics_field(
    "LegalityReview",
    LegalityReview,
    LegalityReviewType,
    filters.LegalityReviewFilterSet,
    dimensions={
        "department": stats.department("decision__department", "决策承办单位 (sponsor)"),
        "year": stats.year("started_on", "送审年份 (year of started_on)"),
        "month": stats.month("started_on", "送审月份 (month of started_on, 1–12)"),
        "result": stats.value("result", "审查结论；审查中为 null (null while under review)"),
    },
    measures={
        "working_days": stats.number("working_days", "审查用时（工作日） (working days)"),
        "calendar_days": stats.days_between(
            "completed_on", "started_on", "审查用时（自然日，完成日期减送审日期）"
        ),
    },
    description="合法性审查统计 (statistics of legality reviews; not public: the reader's "
    "department, oversight and legality reviewers see them)",
)

comment_statistics = stats.statistics_field(
    "Comment",
    Comment,
    CommentType,
    filters.CommentFilterSet,
    dimensions={
        "department": stats.department("consultation__department", "征求意见的承办单位"),
        "year": stats.year("submitted_at", "提交年份 (year of submitted_at, Asia/Shanghai)"),
        "month": stats.month("submitted_at", "提交月份 (month of submitted_at, 1–12)"),
        "status": stats.value("status"),
        "rejection_reason": stats.value("rejection_reason"),
    },
    description="公众意见统计 (statistics of public comments)",
)


class DecisionsStatisticsQuery(graphene.ObjectType):
    decision_statistics = decision_statistics
    consultation_statistics = consultation_statistics
    legality_review_statistics = legality_review_statistics
    comment_statistics = comment_statistics
