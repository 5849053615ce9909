"""GraphQL types of the major-decision registry. Every type goes through the permission path
(``RestrictedObjectType``); filters are the REST filtersets."""

import graphene
from graphene import relay
from graphene_django.filter import DjangoFilterConnectionField

from decisions.api import filters
from decisions.models import (
    AccountabilityResult,
    AdoptionItem,
    AdoptionReport,
    AuditFinding,
    Catalogue,
    CatalogueVersion,
    Comment,
    Consultation,
    Decision,
    DecisionDocument,
    Evaluation,
    ExpertOpinion,
    Hearing,
    ImplementationUpdate,
    LegalityReview,
)
from registry.graphql.types import RECORD_FIELDS, RestrictedObjectType, node_type
from registry.permissions import member_scope

CatalogueType = node_type(
    Catalogue,
    (*RECORD_FIELDS, "year", "approval_date", "versions", "decisions"),
    filters.CatalogueFilterSet,
)
CatalogueVersionType = node_type(
    CatalogueVersion,
    ("catalogue", "number", "approval_date", "published_at", "note", "entries", "changes"),
)


class DecisionType(RestrictedObjectType):
    class Meta:
        model = Decision
        name = "Decision"
        interfaces = (relay.Node,)
        filterset_class = filters.DecisionFilterSet
        fields = (
            *RECORD_FIELDS,
            "catalogue",
            "category",
            "background",
            "legal_basis",
            "stage",
            "stage_reason",
            "stage_changed_at",
            "confidentiality",
            "confidentiality_ground",
            "public_interest_high",
            "risk_assessor",
            "prepublished_on",
            "decided_on",
            "document_number",
            "final_text",
            "adoption_explanation",
            "documents",
            "consultations",
            "hearings",
            "expertopinions",
            "implementationupdates",
            "auditfindings",
            "accountabilityresults",
            "evaluations",
            "legality_reviews",
        )

    legal_basis = graphene.String(
        description="决策依据 (basis); null while withheld from the reader"
    )

    def resolve_legal_basis(decision, info):
        """Withheld from the public until pre-publication, and for withheld decisions."""
        if decision.shown_in_full_to(member_scope(info.context)):
            return decision.legal_basis
        return decision.legal_basis if decision.prepublication_public else None


DecisionDocumentType = node_type(
    DecisionDocument,
    (
        "decision",
        "kind",
        "version",
        "title",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_at",
    ),
)
ConsultationType = node_type(
    Consultation,
    (
        *RECORD_FIELDS,
        "decision",
        "document_type",
        "opens_on",
        "closes_on",
        "channels",
        "shortening_reason",
        "minimum_closes_on",
        "minimum_rule",
        "extension_notice",
        "comments",
        "adoption_report",
    ),
    filters.ConsultationFilterSet,
)
# Never the commenter's contact details or the internal moderation note.
CommentType = node_type(
    Comment,
    (
        "consultation",
        "content",
        "author_name",
        "submitted_at",
        "status",
        "rejection_reason",
        "adoption_items",
    ),
    filters.CommentFilterSet,
)
AdoptionReportType = node_type(AdoptionReport, (*RECORD_FIELDS, "consultation", "items"))
AdoptionItemType = node_type(AdoptionItem, ("report", "comment", "theme", "outcome", "reason"))
HearingType = node_type(
    Hearing,
    (
        *RECORD_FIELDS,
        "decision",
        "held_at",
        "place",
        "selection_method",
        "participants",
        "materials_sent_on",
    ),
    filters.DecisionPartFilterSet,
)
ExpertOpinionType = node_type(
    ExpertOpinion,
    (
        *RECORD_FIELDS,
        "decision",
        "expert_name",
        "organisation",
        "opinion",
        "independence_attested",
        "attestation",
    ),
    filters.DecisionPartFilterSet,
)
# Internal review notes are never part of the graph.
LegalityReviewType = node_type(
    LegalityReview,
    (
        "decision",
        "started_on",
        "minimum_completed_on",
        "completed_on",
        "result",
        "risk_disclosure",
        "working_days",
    ),
    filters.LegalityReviewFilterSet,
)
ImplementationUpdateType = node_type(
    ImplementationUpdate,
    (*RECORD_FIELDS, "decision", "progress_percent"),
    filters.DecisionPartFilterSet,
)
AuditFindingType = node_type(
    AuditFinding,
    (*RECORD_FIELDS, "decision", "source", "finding", "rectification_status", "rectification"),
    filters.DecisionPartFilterSet,
)
AccountabilityResultType = node_type(
    AccountabilityResult, (*RECORD_FIELDS, "decision", "result"), filters.DecisionPartFilterSet
)
EvaluationType = node_type(
    Evaluation,
    (*RECORD_FIELDS, "decision", "trigger", "evaluator", "report", "completed_on"),
    filters.DecisionPartFilterSet,
)


class DecisionsQuery(graphene.ObjectType):
    catalogues = DjangoFilterConnectionField(CatalogueType)
    decisions = DjangoFilterConnectionField(DecisionType)
    consultations = DjangoFilterConnectionField(ConsultationType)
    comments = DjangoFilterConnectionField(CommentType)
    hearings = DjangoFilterConnectionField(HearingType)
    expert_opinions = DjangoFilterConnectionField(ExpertOpinionType)
    legality_reviews = DjangoFilterConnectionField(LegalityReviewType)
    implementation_updates = DjangoFilterConnectionField(ImplementationUpdateType)
    audit_findings = DjangoFilterConnectionField(AuditFindingType)
    accountability_results = DjangoFilterConnectionField(AccountabilityResultType)
    evaluations = DjangoFilterConnectionField(EvaluationType)
