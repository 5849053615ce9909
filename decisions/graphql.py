"""GraphQL types of the major-decision registry. Every type goes through the permission path
(``RestrictedObjectType``); filters are the REST filtersets."""

import graphene
from graphene import relay

from decisions.api import filters, serializers
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
from registry.graphql.connections import RecordConnectionField
from registry.graphql.types import RestrictedObjectType, fields_from, node_type
from registry.permissions import member_scope

CatalogueType = node_type(
    Catalogue,
    fields_from(serializers.CatalogueSerializer, "versions", "decisions"),
    filters.CatalogueFilterSet,
)
CatalogueVersionType = node_type(
    CatalogueVersion, fields_from(serializers.CatalogueVersionSerializer, "catalogue")
)


class DecisionType(RestrictedObjectType):
    class Meta:
        model = Decision
        name = "Decision"
        interfaces = (relay.Node,)
        filterset_class = filters.DecisionFilterSet
        renamed = {
            "expertopinions": "expert_opinions",
            "implementationupdates": "implementation_updates",
            "auditfindings": "audit_findings",
            "accountabilityresults": "accountability_results",
        }
        fields = fields_from(
            serializers.DecisionSerializer,
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
    DecisionDocument, fields_from(serializers.DecisionDocumentSerializer)
)
ConsultationType = node_type(
    Consultation,
    fields_from(serializers.ConsultationSerializer, "comments", "adoption_report"),
    filters.ConsultationFilterSet,
)
# The commenter's contact details are write-only in REST, so not in the graph either.
CommentType = node_type(
    Comment,
    fields_from(serializers.CommentSerializer, "adoption_items"),
    filters.CommentFilterSet,
)
AdoptionReportType = node_type(AdoptionReport, fields_from(serializers.AdoptionReportSerializer))
AdoptionItemType = node_type(
    AdoptionItem, fields_from(serializers.AdoptionItemSerializer, "report")
)
HearingType = node_type(
    Hearing, fields_from(serializers.HearingSerializer), filters.DecisionPartFilterSet
)
ExpertOpinionType = node_type(
    ExpertOpinion, fields_from(serializers.ExpertOpinionSerializer), filters.DecisionPartFilterSet
)
# Internal review notes are never part of the graph.
LegalityReviewType = node_type(
    LegalityReview,
    fields_from(serializers.LegalityReviewSerializer, exclude=("internal_notes", "reviewer")),
    filters.LegalityReviewFilterSet,
)
ImplementationUpdateType = node_type(
    ImplementationUpdate,
    fields_from(serializers.ImplementationUpdateSerializer),
    filters.DecisionPartFilterSet,
)
AuditFindingType = node_type(
    AuditFinding, fields_from(serializers.AuditFindingSerializer), filters.DecisionPartFilterSet
)
AccountabilityResultType = node_type(
    AccountabilityResult,
    fields_from(serializers.AccountabilityResultSerializer),
    filters.DecisionPartFilterSet,
)
EvaluationType = node_type(
    Evaluation, fields_from(serializers.EvaluationSerializer), filters.DecisionPartFilterSet
)


class DecisionsQuery(graphene.ObjectType):
    catalogues = RecordConnectionField(CatalogueType)
    decisions = RecordConnectionField(DecisionType)
    consultations = RecordConnectionField(ConsultationType)
    comments = RecordConnectionField(CommentType)
    hearings = RecordConnectionField(HearingType)
    expert_opinions = RecordConnectionField(ExpertOpinionType)
    legality_reviews = RecordConnectionField(LegalityReviewType)
    implementation_updates = RecordConnectionField(ImplementationUpdateType)
    audit_findings = RecordConnectionField(AuditFindingType)
    accountability_results = RecordConnectionField(AccountabilityResultType)
    evaluations = RecordConnectionField(EvaluationType)
