from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

from registry.annual_report.views import AnnualReportView
from registry.api.changes import ChangeFeedView
from registry.api.dictionary import DictionaryView
from registry.api.exports import (
    ChangeFeedExportView,
    ExportManifestView,
    SnapshotManifestView,
    SnapshotView,
)
from registry.api.router import build_router
from registry.api.views import SchemaView, TokenView, healthz
from registry.compliance.views import ComplianceDetailView, ComplianceView, DeadlinesView
from registry.feeds import PublicationFeed, ResourceListFeed
from registry.graphql.views import RegistryGraphQLView
from registry.ratelimits.throttling import throttled_login

api_v1 = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("dictionary/", DictionaryView.as_view(), name="dictionary"),
    path("changes/", ChangeFeedView.as_view(), name="changes"),
    path("changes/bulk-export/", ChangeFeedExportView.as_view(), name="changes-export"),
    path("exports/<uuid:manifest_id>/", ExportManifestView.as_view(), name="export-manifest"),
    path("snapshot/", SnapshotView.as_view(), name="snapshot"),
    path("snapshot/manifest/", SnapshotManifestView.as_view(), name="snapshot-manifest"),
    path("compliance/", ComplianceView.as_view(), name="compliance"),
    path("compliance/deadlines/", DeadlinesView.as_view(), name="compliance-deadlines"),
    path("compliance/<slug:code>/", ComplianceDetailView.as_view(), name="compliance-detail"),
    path("annual-report/", AnnualReportView.as_view(), name="annual-report"),
    path("", include(build_router().urls)),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    # Split: the page's script is served from the same URL (?script), not inline (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="schema", template_name="api_docs/redoc.html"),
        name="redoc",
    ),
    path("feeds/publications.atom", PublicationFeed(), name="feed-publications"),
    path(
        "feeds/publications/<slug:registry>.atom",
        PublicationFeed(),
        name="feed-registry-publications",
    ),
    path(
        "feeds/departments/<slug:department>.atom",
        PublicationFeed(),
        name="feed-department-publications",
    ),
    path("feeds/<slug:slug>.atom", ResourceListFeed(), name="feed-list"),
    path("graphql/", RegistryGraphQLView.as_view(graphiql=True), name="graphql"),
    path("dashboard/", include("dashboard.urls")),
    path("admin/login/", throttled_login(admin.site.login)),  # before the admin's own
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

handler400 = "registry.api.errors.json_bad_request"
handler403 = "registry.api.errors.json_forbidden"
handler404 = "registry.api.errors.json_not_found"
handler500 = "registry.api.errors.json_server_error"
