from decisions.api import views
from registry import record_types

RESOURCES = [
    ("catalogues", views.CatalogueViewSet),
    ("decisions", views.DecisionViewSet),
    ("decision-documents", views.DecisionDocumentViewSet),
    ("consultations", views.ConsultationViewSet),
    ("comments", views.CommentViewSet),
    ("adoption-reports", views.AdoptionReportViewSet),
    ("hearings", views.HearingViewSet),
    ("expert-opinions", views.ExpertOpinionViewSet),
    ("legality-reviews", views.LegalityReviewViewSet),
    ("implementation-updates", views.ImplementationUpdateViewSet),
    ("audit-findings", views.AuditFindingViewSet),
    ("accountability-results", views.AccountabilityResultViewSet),
    ("evaluations", views.EvaluationViewSet),
]


def register_resources():
    for prefix, viewset in RESOURCES:
        record_types.register(prefix, viewset)
