"""REST resources of the major-decision registry. Views are thin: querysets come through the
permission path, state changes through :mod:`decisions.services`."""

from django.db.models import Max, Prefetch
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from decisions.api import filters, serializers
from decisions.models import (
    AccountabilityResult,
    AdoptionReport,
    AuditFinding,
    Catalogue,
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
from decisions.services import catalogue as catalogue_service
from decisions.services import consultations, documents, lifecycle, reviews
from registry.api.exports import readable_columns
from registry.api.parsers import FormParser, JSONParser, MultiPartParser
from registry.api.viewsets import RecordViewSet, RestrictedViewSetMixin
from registry.choices import Action
from registry.permissions import member_scope
from registry.ratelimits.throttling import SharedRateThrottle


class CatalogueViewSet(RecordViewSet):
    """Annual catalogues of major decisions; ``versions`` is their public history."""

    model = Catalogue
    serializer_class = serializers.CatalogueSerializer
    filterset_class = filters.CatalogueFilterSet

    def base_queryset(self):
        return super().base_queryset().annotate(current_version=Max("versions__number"))

    @extend_schema(
        responses=serializers.CatalogueVersionSerializer(many=True),
        summary=_("目录的全部已发布版本及其变化"),
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def versions(self, request, pk=None):
        catalogue = self.get_object()
        versions = catalogue.versions.order_by("number")
        return Response(serializers.CatalogueVersionSerializer(versions, many=True).data)

    @extend_schema(
        request=serializers.CatalogueAdjustmentSerializer,
        responses={201: serializers.CatalogueVersionSerializer},
        summary=_("发布目录调整"),
    )
    @action(detail=True, methods=["post"])
    def adjust(self, request, pk=None):
        catalogue = self.get_object()
        body = serializers.CatalogueAdjustmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        version = catalogue_service.publish_adjustment(
            catalogue, acting_user=request.user, **body.validated_data
        )
        return Response(
            serializers.CatalogueVersionSerializer(version).data, status=status.HTTP_201_CREATED
        )


class DecisionViewSet(RecordViewSet):
    """Major administrative decisions. ``stage`` moves a decision through the procedure;
    ``documents`` lists and uploads its versioned attachments."""

    model = Decision
    serializer_class = serializers.DecisionSerializer
    filterset_class = filters.DecisionFilterSet

    def base_queryset(self):
        visible_documents = DecisionDocument.objects.restrict(self.request.user, Action.VIEW)
        return (
            super()
            .base_queryset()
            .select_related("catalogue")
            .prefetch_related(
                Prefetch("documents", queryset=visible_documents, to_attr="visible_documents")
            )
        )

    @extend_schema(request=serializers.StageChangeSerializer, summary=_("推进决策程序"))
    @action(detail=True, methods=["post"])
    def stage(self, request, pk=None):
        decision = self.get_object()
        body = serializers.StageChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        target = data.pop("stage")
        return self._respond(lifecycle.advance(decision, target, acting_user=request.user, **data))

    @extend_schema(
        methods=["post"],
        request=serializers.DocumentUploadSerializer,
        responses={201: serializers.DecisionDocumentSerializer},
        summary=_("上传决策材料（新版本）"),
    )
    @extend_schema(
        methods=["get"],
        responses=serializers.DecisionDocumentSerializer(many=True),
        summary=_("决策材料"),
    )
    @action(
        detail=True,
        methods=["get", "post"],
        pagination_class=None,
        filterset_class=None,
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def documents(self, request, pk=None):
        decision = self.get_object()
        if request.method == "GET":
            return Response(
                serializers.DecisionDocumentSerializer(decision.visible_documents, many=True).data
            )
        body = serializers.DocumentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        document = documents.upload(decision, acting_user=request.user, **body.validated_data)
        return Response(
            serializers.DecisionDocumentSerializer(document).data, status=status.HTTP_201_CREATED
        )


class DecisionDocumentViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Decision documents (read-only; upload through ``/decisions/{id}/documents/``)."""

    serializer_class = serializers.DecisionDocumentSerializer
    filterset_class = filters.DecisionDocumentFilterSet

    def base_queryset(self):
        return DecisionDocument.objects.all()

    @extend_schema(
        # The file as uploaded, in its own content type.
        responses={(200, "*/*"): OpenApiTypes.BINARY},
        summary=_("下载文件"),
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def download(self, request, pk=None):
        document = self.get_object()
        response = FileResponse(
            document.file.open("rb"),
            content_type=document.content_type,
            as_attachment=True,
            filename=document.original_name,
        )
        response["X-Content-SHA256"] = document.sha256
        return response


class PartViewSet(RecordViewSet):
    """Base of the resources that belong to a decision."""

    filterset_class = filters.DecisionPartFilterSet


class CommentRateThrottle(SharedRateThrottle):
    """Per-client limit on submitting public comments, in the shared rate-limit counter."""

    scope = "comments"
    rate_setting = "REGISTRY_COMMENT_RATE"

    def applies(self, request, view):
        return request.method == "POST"


class ConsultationViewSet(PartViewSet):
    """Public consultations on draft decisions; anyone may comment while one is open."""

    model = Consultation
    serializer_class = serializers.ConsultationSerializer
    filterset_class = filters.ConsultationFilterSet

    def base_queryset(self):
        return serializers.annotate_comment_counts(super().base_queryset())

    def get_throttles(self):
        if self.action == "comments":
            return [CommentRateThrottle()]
        return super().get_throttles()

    def get_permissions(self):
        if self.action == "comments":
            return []  # anyone may comment; the service checks the period
        return super().get_permissions()

    @extend_schema(request=serializers.ExtendSerializer, summary=_("延长征求意见期限（须公告）"))
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        consultation = self.get_object()
        body = serializers.ExtendSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(
            consultations.extend(consultation, acting_user=request.user, **body.validated_data)
        )

    @extend_schema(
        methods=["post"],
        request=serializers.CommentSerializer,
        responses={201: serializers.CommentSerializer},
        summary=_("提交意见"),
    )
    @extend_schema(
        methods=["get"],
        responses=serializers.CommentSerializer(many=True),
        summary=_("已公开的意见"),
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None)
    def comments(self, request, pk=None):
        consultation = self.get_object()
        if request.method == "POST":
            body = serializers.CommentSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            comment = consultations.submit_comment(consultation, **body.validated_data)
            return Response(
                serializers.CommentSerializer(comment).data, status=status.HTTP_201_CREATED
            )
        visible = Comment.objects.public().filter(consultation=consultation).order_by("id")
        page = self.paginate_queryset(visible)
        return self.get_paginated_response(serializers.CommentSerializer(page, many=True).data)


class CommentViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Comments: the public sees published ones; the sponsor department moderates."""

    filterset_class = filters.CommentFilterSet
    serializer_class = serializers.CommentSerializer

    def base_queryset(self):
        return Comment.objects.select_related("consultation")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(list(self.represent_rows(page)))

    def retrieve(self, request, *args, **kwargs):
        return Response(next(self.represent_rows([self.get_object()])))

    def represent_rows(self, comments):
        """Moderators of the sponsoring department see the moderation fields and the
        commenter's contact; everyone else the published comment."""
        scope = member_scope(self.request)
        moderated, public = (
            serializers.ModeratedCommentSerializer(),
            serializers.CommentSerializer(),
        )
        for comment in comments:
            covered = scope.covers(comment.consultation.department_id)
            yield (moderated if covered else public).to_representation(comment)

    def export_columns(self):
        scope = member_scope(self.request)
        serializer_class = (
            serializers.ModeratedCommentSerializer
            if scope.everything or scope.ids
            else serializers.CommentSerializer
        )
        return readable_columns(serializer_class())

    @extend_schema(
        request=serializers.ModerationSerializer,
        responses=serializers.ModeratedCommentSerializer,
        summary=_("审核意见"),
    )
    @action(detail=True, methods=["post"])
    def moderate(self, request, pk=None):
        comment = self.get_object()
        body = serializers.ModerationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        comment = consultations.moderate_comment(
            comment, acting_user=request.user, **body.validated_data
        )
        return Response(serializers.ModeratedCommentSerializer(comment).data)


class AdoptionReportViewSet(RecordViewSet):
    """Adoption reports (意见采纳情况) with per-comment or per-theme outcomes and counts."""

    model = AdoptionReport
    serializer_class = serializers.AdoptionReportSerializer

    def base_queryset(self):
        return super().base_queryset().prefetch_related("items")

    @extend_schema(
        request=serializers.AdoptionItemSerializer,
        responses={201: serializers.AdoptionItemSerializer},
        summary=_("添加采纳情况条目"),
    )
    @action(detail=True, methods=["post"])
    def items(self, request, pk=None):
        report = self.get_object()
        body = serializers.AdoptionItemSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = consultations.add_adoption_item(
            report, acting_user=request.user, **body.validated_data
        )
        return Response(
            serializers.AdoptionItemSerializer(item).data, status=status.HTTP_201_CREATED
        )


def part_viewset(model_class, serializer_class, doc):
    return type(
        f"{model_class.__name__}ViewSet",
        (PartViewSet,),
        {"model": model_class, "serializer_class": serializer_class, "__doc__": doc},
    )


HearingViewSet = part_viewset(
    Hearing,
    serializers.HearingSerializer,
    "Public hearings on draft decisions (published in advance).",
)
ExpertOpinionViewSet = part_viewset(
    ExpertOpinion,
    serializers.ExpertOpinionSerializer,
    "Expert opinions with attestations of independence.",
)
ImplementationUpdateViewSet = part_viewset(
    ImplementationUpdate,
    serializers.ImplementationUpdateSerializer,
    "Progress in carrying out decisions.",
)
AuditFindingViewSet = part_viewset(
    AuditFinding,
    serializers.AuditFindingSerializer,
    "Audit and inspection findings with rectification status.",
)
AccountabilityResultViewSet = part_viewset(
    AccountabilityResult,
    serializers.AccountabilityResultSerializer,
    "Accountability (问责) results.",
)
EvaluationViewSet = part_viewset(
    Evaluation, serializers.EvaluationSerializer, "Post-decision evaluations (art. 36)."
)


class LegalityReviewViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Legality reviews (internal): the sponsor department, legality reviewers and oversight
    see them; legality reviewers record them."""

    serializer_class = serializers.LegalityReviewSerializer
    filterset_class = filters.LegalityReviewFilterSet

    def base_queryset(self):
        return LegalityReview.objects.select_related("reviewer")

    def perform_create(self, serializer):
        serializer.instance = reviews.start_review(
            serializer.validated_data["decision"],
            acting_user=self.request.user,
            started_on=serializer.validated_data["started_on"],
        )

    @extend_schema(
        request=serializers.ReviewConclusionSerializer,
        responses=serializers.LegalityReviewSerializer,
        summary=_("记录审查结论"),
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        review = self.get_object()
        body = serializers.ReviewConclusionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        review = reviews.complete_review(review, acting_user=request.user, **body.validated_data)
        return Response(self.get_serializer(review).data)
