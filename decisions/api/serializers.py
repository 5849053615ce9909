from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from decisions.choices import Adoption, CommentStatus, LegalityResult, RejectionReason, Stage
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
from decisions.models.consultation import COMMENT_MAX_LENGTH
from registry.api.serializers import RECORD_FIELDS, PublicRecordSerializer, VisibleRelatedField
from registry.permissions import member_scope


class CatalogueSerializer(PublicRecordSerializer):
    current_version = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta(PublicRecordSerializer.Meta):
        model = Catalogue
        fields = [*RECORD_FIELDS, "year", "approval_date", "current_version"]


class CatalogueVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CatalogueVersion
        fields = ["number", "approval_date", "published_at", "note", "entries", "changes"]


class CatalogueAdjustmentSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000, help_text=_("调整内容和理由（公开）"))
    approval_date = serializers.DateField(help_text=_("调整的批准日期"))


class DecisionDocumentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DecisionDocument
        fields = [
            "id",
            "decision",
            "kind",
            "version",
            "title",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, document) -> str:
        return f"/api/v1/decision-documents/{document.pk}/download/"


class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DecisionDocument._meta.get_field("kind").choices)
    title = serializers.CharField(max_length=300)
    file = serializers.FileField(
        help_text=_("PDF、OFD、DOCX、DOC、ODT、XLSX 或 UTF-8 文本，最大 20 MB")
    )


class DecisionSerializer(PublicRecordSerializer):
    """A decision. For the public, the basis (决策依据) and the pre-publication documents of
    a ``draft_withheld`` decision are withheld, with the legal ground shown instead."""

    catalogue = VisibleRelatedField(queryset=Catalogue.objects.all())
    catalogue_year = serializers.IntegerField(source="catalogue.year", read_only=True)
    documents = DecisionDocumentSerializer(many=True, read_only=True, source="visible_documents")
    withheld_content = serializers.SerializerMethodField()

    class Meta(PublicRecordSerializer.Meta):
        model = Decision
        fields = [
            *RECORD_FIELDS,
            "catalogue",
            "catalogue_year",
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
            "withheld_content",
        ]
        read_only_fields = [
            *PublicRecordSerializer.Meta.read_only_fields,
            "stage",
            "stage_reason",
            "stage_changed_at",
            "prepublished_on",
            "decided_on",
            "document_number",
            "final_text",
            "adoption_explanation",
        ]

    def _sees_everything(self, decision):
        return decision.shown_in_full_to(member_scope(self.context["request"]))

    def get_withheld_content(self, decision) -> list[str]:
        """Which fields are withheld from this reader."""
        if self._sees_everything(decision) or decision.prepublication_public:
            return []
        return ["legal_basis", "pre_publication_documents"]

    withheld_fields = ("legal_basis",)  # null for readers it is withheld from

    def finish_representation(self, data, decision):
        if not self._sees_everything(decision) and not decision.prepublication_public:
            data["legal_basis"] = None
        return data


class StageChangeSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    decided_on = serializers.DateField(required=False)
    document_number = serializers.CharField(required=False, max_length=100)
    final_text = serializers.CharField(required=False)
    adoption_explanation = serializers.CharField(required=False, allow_blank=True)


class DecisionPartSerializer(PublicRecordSerializer):
    """Base of records that belong to a decision (the department follows the decision)."""

    decision = VisibleRelatedField(queryset=Decision.objects.all())

    class Meta(PublicRecordSerializer.Meta):
        fields = [*RECORD_FIELDS, "decision"]


def part_serializer(model_class, *extra_fields, read_only=()):
    """The serializer of a decision part: the record fields, ``decision`` and its own."""
    meta = type(
        "Meta",
        (DecisionPartSerializer.Meta,),
        {
            "model": model_class,
            "fields": [*DecisionPartSerializer.Meta.fields, *extra_fields],
            "read_only_fields": [*DecisionPartSerializer.Meta.read_only_fields, *read_only],
        },
    )
    return type(f"{model_class.__name__}Serializer", (DecisionPartSerializer,), {"Meta": meta})


class ConsultationSerializer(
    part_serializer(
        Consultation,
        "document_type",
        "opens_on",
        "closes_on",
        "period_days",
        "channels",
        "shortening_reason",
        "minimum_closes_on",
        "minimum_rule",
        "extension_notice",
        "is_open",
        "published_comments",
        read_only=("minimum_closes_on", "minimum_rule", "extension_notice"),
    )
):
    period_days = serializers.IntegerField(read_only=True)
    is_open = serializers.SerializerMethodField()
    published_comments = serializers.IntegerField(read_only=True, default=0)
    channels = serializers.ListField(
        child=serializers.ChoiceField(
            choices=Consultation._meta.get_field("channels").base_field.choices
        ),
        allow_empty=False,
    )

    def get_is_open(self, consultation) -> bool:
        return consultation.is_open()


class ExtendSerializer(serializers.Serializer):
    closes_on = serializers.DateField()
    notice = serializers.CharField(max_length=5000, help_text=_("延长公告（公开）"))


HearingSerializer = part_serializer(
    Hearing, "held_at", "place", "selection_method", "participants", "materials_sent_on"
)
ExpertOpinionSerializer = part_serializer(
    ExpertOpinion,
    "expert_name",
    "organisation",
    "opinion",
    "independence_attested",
    "attestation",
)
ImplementationUpdateSerializer = part_serializer(ImplementationUpdate, "progress_percent")
AuditFindingSerializer = part_serializer(
    AuditFinding, "source", "finding", "rectification_status", "rectification"
)
AccountabilityResultSerializer = part_serializer(AccountabilityResult, "result")
EvaluationSerializer = part_serializer(Evaluation, "trigger", "evaluator", "report", "completed_on")


class CommentSerializer(serializers.ModelSerializer):
    """A public comment. ``contact`` is accepted but shown only to the sponsor department."""

    content = serializers.CharField(max_length=COMMENT_MAX_LENGTH, trim_whitespace=True)
    contact = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        write_only=True,
        help_text=_("联系方式，仅承办部门可见，永不公开"),
    )

    class Meta:
        model = Comment
        fields = [
            "id",
            "consultation",
            "content",
            "author_name",
            "contact",
            "submitted_at",
            "status",
            "rejection_reason",
        ]
        read_only_fields = ["id", "consultation", "submitted_at", "status", "rejection_reason"]


class ModeratedCommentSerializer(CommentSerializer):
    """What the sponsor department sees of a comment."""

    contact = serializers.CharField(read_only=True)

    class Meta(CommentSerializer.Meta):
        fields = [*CommentSerializer.Meta.fields, "moderated_at", "moderation_note"]
        read_only_fields = fields


class ModerationSerializer(serializers.Serializer):
    publish = serializers.BooleanField()
    rejection_reason = serializers.ChoiceField(
        choices=RejectionReason.choices, required=False, allow_blank=True
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class AdoptionItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AdoptionItem
        fields = ["id", "comment", "theme", "outcome", "reason"]


class AdoptionReportSerializer(PublicRecordSerializer):
    consultation = VisibleRelatedField(queryset=Consultation.objects.all())
    items = AdoptionItemSerializer(many=True, read_only=True)
    counts = serializers.SerializerMethodField()

    class Meta(PublicRecordSerializer.Meta):
        model = AdoptionReport
        fields = [*RECORD_FIELDS, "consultation", "items", "counts"]

    def get_counts(self, report) -> dict[str, int]:
        counts = {outcome.value: 0 for outcome in Adoption}
        for item in report.items.all():
            counts[item.outcome] += 1
        counts["total"] = sum(counts.values())
        return counts


class LegalityReviewSerializer(serializers.ModelSerializer):
    decision = VisibleRelatedField(queryset=Decision.objects.all())
    reviewer = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = LegalityReview
        fields = [
            "id",
            "decision",
            "reviewer",
            "started_on",
            "minimum_completed_on",
            "completed_on",
            "result",
            "risk_disclosure",
            "internal_notes",
            "working_days",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "reviewer",
            "minimum_completed_on",
            "completed_on",
            "result",
            "risk_disclosure",
            "internal_notes",
            "working_days",
            "created_at",
        ]


class ReviewConclusionSerializer(serializers.Serializer):
    completed_on = serializers.DateField()
    result = serializers.ChoiceField(choices=LegalityResult.choices)
    risk_disclosure = serializers.CharField(required=False, allow_blank=True)
    internal_notes = serializers.CharField(required=False, allow_blank=True)


def annotate_comment_counts(queryset):
    return queryset.annotate(
        published_comments=Count("comments", filter=Q(comments__status=CommentStatus.PUBLISHED))
    )
