"""Confidentiality end to end: nothing withheld ever reaches an anonymous reader.

The scenario plants a unique marker string in every place that must never be public: every
text field of a ``fully_withheld`` decision, its parts and its documents (title, original file
name and file content); the basis and pre-publication documents of a ``draft_withheld``
decision; unpublished drafts of every record type; pending and rejected comments; every
commenter's contact; moderation notes; legality reviews; the pre-publication documents of
``none`` decisions whose consultation has not opened. Then it crawls every anonymous surface
(the REST root and every list, filter, detail and sub-resource it leads to, downloads, POST
error bodies, the API docs, every GraphQL root connection with its nested relations, every
relay node lookup, every bulk export, the change-feed export, a fresh snapshot's files and
every Atom feed) and looks for any marker in any response body or header.

Positive controls keep the test honest: the anonymous crawl sees the public content, members
see the withheld content, and the same crawl run as ``oversight`` finds every marker.
"""

import dataclasses
import datetime
import hashlib
import json
import re
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlencode, urlsplit

import django_filters
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from graphql_relay import to_global_id

from decisions.models import (
    AccountabilityResult,
    AdoptionReport,
    AuditFinding,
    Catalogue,
    Comment,
    Decision,
    DecisionDocument,
    Evaluation,
    ExpertOpinion,
    Hearing,
    ImplementationUpdate,
    LegalityReview,
)
from decisions.services import consultations, documents, lifecycle
from registry.api.router import build_router
from registry.graphql.schema import schema as graphene_schema
from registry.services import workflow
from tests.decisions import builders
from tests.factories import notice
from tests.fiscal import secrets as fiscal_secrets
from tests.graph_crawl import crawl_statistics, lookup_nodes
from tests.world import crawl_bulk_downloads, crawl_change_feed

pytestmark = pytest.mark.django_db

# --------------------------------------------------------------------------------------------
# Markers: one per place that must never be public.

MARKER_KEYS = (
    # the fully_withheld decision, every text field
    "FW-NAME",
    "FW-SUMMARY",
    "FW-BACKGROUND",
    "FW-LEGAL-BASIS",
    "FW-GROUND",
    "FW-RISK-ASSESSOR",
    "FW-WITHHELD-LEGAL-BASIS",
    "FW-DOCUMENT-NUMBER",
    "FW-FINAL-TEXT",
    "FW-ADOPTION-EXPLANATION",
    "FW-STAGE-REASON",
    # its documents (a pre-publication one and an ordinary one)
    "FW-DRAFT-TITLE",
    "FW-DRAFT-FILE",
    "FW-DRAFT-CONTENT",
    "FW-OTHER-TITLE",
    "FW-OTHER-FILE",
    "FW-OTHER-CONTENT",
    # its published parts
    "FW-UPDATE-NAME",
    "FW-UPDATE-SUMMARY",
    "FW-FINDING-NAME",
    "FW-FINDING-TEXT",
    "FW-FINDING-RECTIFICATION",
    "FW-EVALUATION-NAME",
    "FW-EVALUATION-EVALUATOR",
    "FW-EVALUATION-REPORT",
    "FW-OPINION-NAME",
    "FW-OPINION-EXPERT",
    "FW-OPINION-ORGANISATION",
    "FW-OPINION-TEXT",
    "FW-OPINION-ATTESTATION",
    "FW-ACCOUNTABILITY-NAME",
    "FW-ACCOUNTABILITY-RESULT",
    # a part of it that was published and then withdrawn
    "FW-WITHDRAWN-PART-NAME",
    "FW-WITHDRAWN-PART-REASON",
    "FW-WITHDRAWN-PART-BASIS",
    # its legality review
    "FW-REVIEW-RISK",
    "FW-REVIEW-NOTES",
    # a second fully_withheld decision, published and then withdrawn
    "FW2-NAME",
    "FW2-GROUND",
    "FW2-WITHDRAWAL-REASON",
    "FW2-WITHDRAWAL-BASIS",
    # the draft_withheld decision: its basis, its pre-publication documents, its review
    "DW-LEGAL-BASIS",
    "DW-DRAFT-TITLE",
    "DW-DRAFT-FILE",
    "DW-DRAFT-CONTENT",
    "DW-EXPLANATION-TITLE",
    "DW-EXPLANATION-FILE",
    "DW-EXPLANATION-CONTENT",
    "DW-BASIS-TITLE",
    "DW-BASIS-FILE",
    "DW-BASIS-CONTENT",
    "DW-REVIEW-RISK",
    "DW-REVIEW-NOTES",
    # an unpublished decision, its document, and a part published under it
    "DRAFT-NAME",
    "DRAFT-SUMMARY",
    "DRAFT-BACKGROUND",
    "DRAFT-LEGAL-BASIS",
    "DRAFT-RISK-ASSESSOR",
    "DRAFT-OTHER-TITLE",
    "DRAFT-OTHER-FILE",
    "DRAFT-OTHER-CONTENT",
    "DRAFT-PUBLISHED-OPINION-NAME",
    # unpublished records under the public decision (every record type)
    "DRAFT-CONSULTATION-NAME",
    "DRAFT-CONSULTATION-SUMMARY",
    "DRAFT-HEARING-NAME",
    "DRAFT-HEARING-PLACE",
    "DRAFT-HEARING-PARTICIPANT",
    "DRAFT-UPDATE-NAME",
    "DRAFT-FINDING-NAME",
    "DRAFT-FINDING-TEXT",
    "DRAFT-EVALUATION-NAME",
    "DRAFT-EVALUATION-REPORT",
    "DRAFT-OPINION-NAME",
    "DRAFT-OPINION-TEXT",
    "DRAFT-ACCOUNTABILITY-NAME",
    "DRAFT-ACCOUNTABILITY-RESULT",
    "DRAFT-REPORT-NAME",
    "DRAFT-REPORT-THEME",
    "DRAFT-REPORT-REASON",
    "DRAFT-CATALOGUE-NAME",
    "DRAFT-CATALOGUE-SUMMARY",
    "DRAFT-NOTICE-NAME",
    # a published part of the public decision withheld under the record-level withheld_ground
    "WITHHELD-PART-NAME",
    "WITHHELD-PART-BASIS",
    # comments
    "COMMENT-CONTACT",
    "COMMENT-MODERATION-NOTE",
    "REJECTED-CONTENT",
    "REJECTED-AUTHOR",
    "REJECTED-CONTACT",
    "REJECTED-MODERATION-NOTE",
    "PENDING-CONTENT",
    "PENDING-AUTHOR",
    "PENDING-CONTACT",
    # none decisions before their consultation opens (or without one)
    "NOTYET-DRAFT-TITLE",
    "NOTYET-DRAFT-FILE",
    "NOTYET-DRAFT-CONTENT",
    "NOTYET-EXPLANATION-TITLE",
    "NOTYET-EXPLANATION-FILE",
    "NOTYET-EXPLANATION-CONTENT",
    "NOCONS-BASIS-TITLE",
    "NOCONS-BASIS-FILE",
    "NOCONS-BASIS-CONTENT",
    # the fiscal registry's drafts and withheld texts (tests/fiscal/secrets.py)
    *fiscal_secrets.MARKER_KEYS,
)


def _marker(key):
    return f"MARKER-{key}-{hashlib.sha256(key.encode()).hexdigest()[:6]}"


# The ASCII core of each marker is what the crawl looks for: JSON (with or without \u escapes),
# HTML escaping and percent-encoding (Content-Disposition) all leave [A-Z0-9-] unchanged.
MARKERS = {key: _marker(key) for key in MARKER_KEYS}
assert len(set(MARKERS.values())) == len(MARKERS)


def plant(key):
    """The value stored in the database for ``key``: the marker plus non-ASCII text, so a
    ``\\u``-escaping encoder would still show the marker."""
    return f"{MARKERS[key]} 机密"


def marker_forms(key):
    value = plant(key)
    return {MARKERS[key], json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}


# Public texts the anonymous crawl must see (controls against a vacuous pass).
PUBLIC = {
    "PUB-NAME": "PUBLIC-OK-decision-name",
    "PUB-CONSULTATION": "PUBLIC-OK-consultation-name",
    "PUB-UPDATE": "PUBLIC-OK-implementation-update",
    "PUB-DRAFT-DOCUMENT": "PUBLIC-OK-prepublished-draft",
    "COMMENT": "PUBLIC-OK-comment-content",
    "DW-NAME": "PUBLIC-OK-draft-withheld-name",
    "DW-GROUND": "PUBLIC-OK-draft-withheld-ground",
    "DW-OTHER-TITLE": "PUBLIC-OK-draft-withheld-other-document",
    "NOTYET-NAME": "PUBLIC-OK-not-yet-open-decision",
    "NOCONS-NAME": "PUBLIC-OK-no-consultation-decision",
    "ADJUSTMENT": "PUBLIC-OK-catalogue-adjustment",
}
# Public text that only a download shows.
PUBLIC_FILE_CONTENT = "PUBLIC-OK-draft-withheld-other-content"


# --------------------------------------------------------------------------------------------
# The scenario, built through the API and the service functions.


def stage(client, decision, target, **body):
    response = client.post(
        f"/api/v1/decisions/{decision.pk}/stage/", {"stage": target, **body}, format="json"
    )
    assert response.status_code == 200, response.content
    return Decision.objects.get(pk=decision.pk)


def upload(decision, editor, kind, prefix):
    """Upload a document whose title, file name and content are the ``prefix-KIND-*``
    markers."""
    tag = f"{prefix}-{kind.upper()}"
    content = f"%PDF-1.4\n% {plant(tag + '-CONTENT')}\n".encode()
    file = SimpleUploadedFile(f"{plant(tag + '-FILE')}.pdf", content, "application/pdf")
    return documents.upload(
        decision, acting_user=editor, kind=kind, title=plant(tag + "-TITLE"), file=file
    )


def public_upload(decision, editor, kind, title, content):
    file = SimpleUploadedFile("public.pdf", f"%PDF-1.4\n% {content}\n".encode(), "application/pdf")
    return documents.upload(decision, acting_user=editor, kind=kind, title=title, file=file)


def legality_review(client, decision, prefix):
    """Start and complete a legality review as a legality reviewer, through the API."""
    review = client.post(
        "/api/v1/legality-reviews/",
        {"decision": decision.pk, "started_on": "2026-11-02"},
        format="json",
    )
    assert review.status_code == 201, review.content
    done = client.post(
        f"/api/v1/legality-reviews/{review.json()['id']}/complete/",
        {
            "completed_on": "2026-11-11",
            "result": "lawful_with_risk",
            "risk_disclosure": plant(f"{prefix}-REVIEW-RISK"),
            "internal_notes": plant(f"{prefix}-REVIEW-NOTES"),
        },
        format="json",
    )
    assert done.status_code == 200, done.content
    return LegalityReview.objects.get(pk=review.json()["id"])


def comment(anonymous, consultation, content, author, contact):
    response = anonymous.post(
        f"/api/v1/consultations/{consultation.pk}/comments/",
        {"content": content, "author_name": author, "contact": contact},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert contact not in response.content.decode()  # not even echoed back
    return Comment.objects.get(pk=response.json()["id"])


def moderate(editor_client, record, **body):
    response = editor_client.post(f"/api/v1/comments/{record.pk}/moderate/", body, format="json")
    assert response.status_code == 200, response.content


def draft_parts(decision, editor):
    """One unpublished record of every decision-part type."""
    today = timezone.localdate()
    return [
        builders.part(
            ImplementationUpdate,
            decision,
            editor,
            name=plant("DRAFT-UPDATE-NAME"),
            progress_percent=10,
        ),
        builders.part(
            AuditFinding,
            decision,
            editor,
            name=plant("DRAFT-FINDING-NAME"),
            source="audit",
            finding=plant("DRAFT-FINDING-TEXT"),
        ),
        builders.part(
            Evaluation,
            decision,
            editor,
            name=plant("DRAFT-EVALUATION-NAME"),
            trigger="scheduled",
            evaluator="第三方评估机构",
            report=plant("DRAFT-EVALUATION-REPORT"),
            completed_on=today,
        ),
        builders.part(
            ExpertOpinion,
            decision,
            editor,
            name=plant("DRAFT-OPINION-NAME"),
            expert_name="李四",
            opinion=plant("DRAFT-OPINION-TEXT"),
            independence_attested=True,
            attestation="与本事项无利害关系",
        ),
        builders.part(
            AccountabilityResult,
            decision,
            editor,
            name=plant("DRAFT-ACCOUNTABILITY-NAME"),
            result=plant("DRAFT-ACCOUNTABILITY-RESULT"),
        ),
        builders.part(
            Hearing,
            decision,
            editor,
            name=plant("DRAFT-HEARING-NAME"),
            **{
                **builders.hearing_fields(),
                "place": plant("DRAFT-HEARING-PLACE"),
                "participants": [{"name": plant("DRAFT-HEARING-PARTICIPANT"), "sector": "市民"}],
            },
        ),
    ]


def fully_withheld_parts(decision, editor, publisher):
    """Published parts of the fully_withheld decision, with markers in every text."""
    today = timezone.localdate()
    made = [
        (
            ImplementationUpdate,
            {
                "name": plant("FW-UPDATE-NAME"),
                "summary": plant("FW-UPDATE-SUMMARY"),
                "progress_percent": 40,
            },
        ),
        (
            AuditFinding,
            {
                "name": plant("FW-FINDING-NAME"),
                "source": "inspection",
                "finding": plant("FW-FINDING-TEXT"),
                "rectification_status": "in_progress",
                "rectification": plant("FW-FINDING-RECTIFICATION"),
            },
        ),
        (
            Evaluation,
            {
                "name": plant("FW-EVALUATION-NAME"),
                "trigger": "scheduled",
                "evaluator": plant("FW-EVALUATION-EVALUATOR"),
                "report": plant("FW-EVALUATION-REPORT"),
                "completed_on": today,
            },
        ),
        (
            ExpertOpinion,
            {
                "name": plant("FW-OPINION-NAME"),
                "expert_name": plant("FW-OPINION-EXPERT"),
                "organisation": plant("FW-OPINION-ORGANISATION"),
                "opinion": plant("FW-OPINION-TEXT"),
                "independence_attested": True,
                "attestation": plant("FW-OPINION-ATTESTATION"),
            },
        ),
        (
            AccountabilityResult,
            {
                "name": plant("FW-ACCOUNTABILITY-NAME"),
                "result": plant("FW-ACCOUNTABILITY-RESULT"),
            },
        ),
    ]
    parts = [
        builders.part(model, decision, editor, publisher=publisher, **fields)
        for model, fields in made
    ]
    withdrawn = builders.part(
        ImplementationUpdate,
        decision,
        editor,
        publisher=publisher,
        name=plant("FW-WITHDRAWN-PART-NAME"),
    )
    withdrawn = workflow.withdraw(
        withdrawn,
        acting_user=publisher,
        reason=plant("FW-WITHDRAWN-PART-REASON"),
        legal_basis=plant("FW-WITHDRAWN-PART-BASIS"),
    )
    return [*parts, withdrawn]


@pytest.fixture
def scenario(
    departments, users, office, catalogue, client_for, settings, tmp_path, lifted_graphql_limits
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REGISTRY_COMMENT_RATE = "1000/hour"
    cache.clear()  # the comment throttle counts in the cache
    fgw = departments["fgw"]
    editor, publisher = users["editor"], users["publisher"]
    publisher_client, reviewer_client = client_for("publisher"), client_for("legality_reviewer")
    today = timezone.localdate()
    hidden = []  # (model, pk) that no anonymous surface may show at all

    def decision(**fields):
        return builders.decision(fgw, editor, catalogue, publisher=publisher, **fields)

    # A public decision with an open consultation, comments and one published part.
    public = decision(name=PUBLIC["PUB-NAME"])
    period = builders.to_consultation(public, editor, publisher, name=PUBLIC["PUB-CONSULTATION"])
    public_upload(public, editor, "explanation", PUBLIC["PUB-DRAFT-DOCUMENT"], "起草说明")
    builders.part(
        ImplementationUpdate, public, editor, publisher=publisher, name=PUBLIC["PUB-UPDATE"]
    )
    withheld_part = builders.part(
        ImplementationUpdate,
        public,
        editor,
        publisher=publisher,
        name=plant("WITHHELD-PART-NAME"),
        withheld_ground="internal_affairs",
        withheld_legal_basis=plant("WITHHELD-PART-BASIS"),
    )
    anonymous = client_for("anonymous")
    published = comment(anonymous, period, PUBLIC["COMMENT"], "张三", plant("COMMENT-CONTACT"))
    rejected = comment(
        anonymous,
        period,
        plant("REJECTED-CONTENT"),
        plant("REJECTED-AUTHOR"),
        plant("REJECTED-CONTACT"),
    )
    pending = comment(
        anonymous,
        period,
        plant("PENDING-CONTENT"),
        plant("PENDING-AUTHOR"),
        plant("PENDING-CONTACT"),
    )
    editor_client = client_for("editor")
    moderate(editor_client, published, publish=True, note=plant("COMMENT-MODERATION-NOTE"))
    moderate(
        editor_client,
        rejected,
        publish=False,
        rejection_reason="spam",
        note=plant("REJECTED-MODERATION-NOTE"),
    )
    hidden += [
        (Comment, rejected.pk),
        (Comment, pending.pk),
        (ImplementationUpdate, withheld_part.pk),
    ]

    # Unpublished records of every type under the public decision.
    draft_consultation = builders.consultation(
        public,
        editor,
        name=plant("DRAFT-CONSULTATION-NAME"),
        summary=plant("DRAFT-CONSULTATION-SUMMARY"),
        opens_on=today + datetime.timedelta(days=3),
    )
    hidden.append((type(draft_consultation), draft_consultation.pk))
    hidden += [(type(p), p.pk) for p in draft_parts(public, editor)]
    report = workflow.create(
        AdoptionReport,
        acting_user=editor,
        department=fgw,
        consultation=period,
        name=plant("DRAFT-REPORT-NAME"),
        date_made=today,
    )
    consultations.add_adoption_item(
        report,
        acting_user=editor,
        theme=plant("DRAFT-REPORT-THEME"),
        outcome="not_adopted",
        reason=plant("DRAFT-REPORT-REASON"),
    )
    hidden.append((AdoptionReport, report.pk))

    # draft_withheld: listed; basis and pre-publication documents withheld; in legality review.
    withheld = decision(
        name=PUBLIC["DW-NAME"],
        confidentiality="draft_withheld",
        confidentiality_ground=PUBLIC["DW-GROUND"],
        legal_basis=plant("DW-LEGAL-BASIS"),
    )
    withheld = stage(publisher_client, withheld, "drafting")
    dw_documents = [upload(withheld, editor, kind, "DW") for kind in ("draft", "explanation")]
    dw_documents.append(upload(withheld, editor, "basis", "DW"))
    dw_other = public_upload(
        withheld, editor, "other", PUBLIC["DW-OTHER-TITLE"], PUBLIC_FILE_CONTENT
    )
    withheld = stage(publisher_client, withheld, "legality_review")
    dw_review = legality_review(reviewer_client, withheld, "DW")
    hidden += [(DecisionDocument, d.pk) for d in dw_documents]
    hidden.append((LegalityReview, dw_review.pk))

    # fully_withheld: nothing of it anywhere.
    secret = decision(
        name=plant("FW-NAME"),
        summary=plant("FW-SUMMARY"),
        background=plant("FW-BACKGROUND"),
        legal_basis=plant("FW-LEGAL-BASIS"),
        confidentiality="fully_withheld",
        confidentiality_ground=plant("FW-GROUND"),
        risk_assessor=plant("FW-RISK-ASSESSOR"),
        withheld_legal_basis=plant("FW-WITHHELD-LEGAL-BASIS"),
    )
    secret = stage(publisher_client, secret, "drafting")
    fw_documents = [upload(secret, editor, "draft", "FW"), upload(secret, editor, "other", "FW")]
    fw_parts = fully_withheld_parts(secret, editor, publisher)
    secret = stage(publisher_client, secret, "legality_review")
    fw_review = legality_review(reviewer_client, secret, "FW")
    # … decided (number, text, explanation) and suspended (reason): every text field is set.
    secret = stage(publisher_client, secret, "deliberation")
    secret = stage(
        publisher_client,
        secret,
        "decided",
        decided_on=str(today),
        document_number=plant("FW-DOCUMENT-NUMBER"),
        final_text=plant("FW-FINAL-TEXT"),
        adoption_explanation=plant("FW-ADOPTION-EXPLANATION"),
    )
    secret = stage(publisher_client, secret, "suspended", reason=plant("FW-STAGE-REASON"))
    hidden.append((Decision, secret.pk))
    hidden += [(DecisionDocument, d.pk) for d in fw_documents]
    hidden += [(type(p), p.pk) for p in fw_parts]
    hidden.append((LegalityReview, fw_review.pk))

    # A second fully_withheld decision, published and then withdrawn.
    withdrawn = decision(
        name=plant("FW2-NAME"),
        confidentiality="fully_withheld",
        confidentiality_ground=plant("FW2-GROUND"),
    )
    withdrawn = workflow.withdraw(
        withdrawn,
        acting_user=publisher,
        reason=plant("FW2-WITHDRAWAL-REASON"),
        legal_basis=plant("FW2-WITHDRAWAL-BASIS"),
    )
    hidden.append((Decision, withdrawn.pk))

    # An unpublished decision with a document, and a part published under it.
    draft = builders.decision(
        fgw,
        editor,
        catalogue,
        name=plant("DRAFT-NAME"),
        summary=plant("DRAFT-SUMMARY"),
        background=plant("DRAFT-BACKGROUND"),
        legal_basis=plant("DRAFT-LEGAL-BASIS"),
        risk_assessor=plant("DRAFT-RISK-ASSESSOR"),
    )
    draft_document = upload(draft, editor, "other", "DRAFT")
    draft_opinion = builders.part(
        ExpertOpinion,
        draft,
        editor,
        publisher=publisher,
        name=plant("DRAFT-PUBLISHED-OPINION-NAME"),
        expert_name="王五",
        opinion="同意",
        independence_attested=True,
        attestation="无利害关系",
    )
    hidden += [
        (Decision, draft.pk),
        (DecisionDocument, draft_document.pk),
        (ExpertOpinion, draft_opinion.pk),
    ]

    # none decisions whose pre-publication material is not public yet.
    not_yet = decision(name=PUBLIC["NOTYET-NAME"])
    lifecycle.advance(not_yet, "drafting", acting_user=publisher)
    not_yet_documents = [upload(not_yet, editor, k, "NOTYET") for k in ("draft", "explanation")]
    builders.consultation(
        not_yet, editor, publisher=publisher, opens_on=today + datetime.timedelta(days=10)
    )
    no_consultation = decision(name=PUBLIC["NOCONS-NAME"])
    lifecycle.advance(no_consultation, "drafting", acting_user=publisher)
    no_consultation_document = upload(no_consultation, editor, "basis", "NOCONS")
    hidden += [(DecisionDocument, d.pk) for d in [*not_yet_documents, no_consultation_document]]

    # An unpublished catalogue and an unpublished record of the core's test record type.
    draft_catalogue = workflow.create(
        Catalogue,
        acting_user=users["office_editor"],
        department=office,
        name=plant("DRAFT-CATALOGUE-NAME"),
        summary=plant("DRAFT-CATALOGUE-SUMMARY"),
        date_made=datetime.date(2027, 1, 15),
        year=2027,
    )
    draft_notice = notice(fgw, editor, name=plant("DRAFT-NOTICE-NAME"))
    hidden += [(Catalogue, draft_catalogue.pk), (type(draft_notice), draft_notice.pk)]
    hidden += fiscal_secrets.plant_secrets(fgw, editor, publisher, plant)

    # A catalogue adjustment now: its version lists what is public at this moment.
    adjustment = client_for("office_publisher").post(
        f"/api/v1/catalogues/{catalogue.pk}/adjust/",
        {"note": PUBLIC["ADJUSTMENT"], "approval_date": str(today)},
        format="json",
    )
    assert adjustment.status_code == 201, adjustment.content

    return SimpleNamespace(
        public=public,
        period=period,
        published_comment=published,
        withheld=withheld,
        withheld_other=dw_other,
        secret=secret,
        withdrawn=withdrawn,
        draft=draft,
        draft_consultation=draft_consultation,
        hidden=set(hidden),
        hidden_documents={pk for model, pk in hidden if model is DecisionDocument},
    )


# --------------------------------------------------------------------------------------------
# The crawler: every response is kept and searched for markers.


@dataclass
class Crawl:
    """What one user saw. ``hidden``: the (model, pk) this user must not see at all (404 on
    REST, null on GraphQL); ``responses``: (label, status, body and headers) of every request;
    ``problems``: wrong status codes, 500s, GraphQL errors."""

    client: object
    hidden: set = dataclasses.field(default_factory=set)
    responses: list = dataclasses.field(default_factory=list)
    problems: list = dataclasses.field(default_factory=list)
    rest_requests: int = 0
    graphql_queries: int = 0
    statistics_queries: int = 0

    def __post_init__(self):
        self.client.raise_request_exception = False  # a 500 is a response to inspect

    def _keep(self, label, response):
        if getattr(response, "streaming", False):
            body = b"".join(response.streaming_content)  # the client closes it at the end
        else:
            body = response.content
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        text = body.decode("utf-8", errors="replace") + "\n" + headers
        self.responses.append((label, response.status_code, text))
        if response.status_code >= 500:
            self.problems.append(f"{label}: HTTP {response.status_code}")
        response.body = body
        return response

    def get(self, path, **extra):
        return self._keep(f"GET {path}", self.client.get(path, **extra))

    def options(self, path):
        return self._keep(f"OPTIONS {path}", self.client.options(path))

    def post(self, path, data=None):
        return self._keep(f"POST {path}", self.client.post(path, data or {}, format="json"))

    def patch(self, path):
        return self._keep(f"PATCH {path}", self.client.patch(path, {}, format="json"))

    def graphql(self, query, variables=None, label=None):
        self.graphql_queries += 1
        body = {"query": query, "variables": variables or {}}
        response = self.client.post("/graphql/", body, format="json")
        self._keep(f"GraphQL {label or query[:120]}", response)
        payload = json.loads(response.body or b"{}")
        if response.status_code != 200 or payload.get("errors"):
            self.problems.append(f"GraphQL {label}: {response.status_code} {payload.get('errors')}")
        return payload

    def keep(self, label, text):
        """Content reached inside a download (a file of the snapshot's ZIP)."""
        self.responses.append((label, 200, text))

    def markers_found(self):
        """marker key -> the responses it appeared in."""
        found = {}
        for key in MARKERS:
            forms = marker_forms(key)
            for label, _status, text in self.responses:
                if any(form in text for form in forms):
                    found.setdefault(key, []).append(label)
        return found

    def seen(self, text, surface=""):
        """Whether ``text`` appeared in a response whose label starts with ``surface``."""
        return any(
            text in body for label, _status, body in self.responses if label.startswith(surface)
        )

    def expect_hidden(self, model, pk, response, allowed=(404,)):
        if (model, pk) in self.hidden and response.status_code not in allowed:
            self.problems.append(
                f"{model.__name__} {pk} is hidden but {response.status_code} at "
                f"{self.responses[-1][0]}"
            )


def filter_values(name, flt, scenario):
    """Values worth probing for a filter: every choice, and the ids, index numbers and name
    fragments of hidden records (a filter must not reveal that they exist)."""
    choices = flt.extra.get("choices")
    if choices is not None:
        return [value for value, _label in (choices() if callable(choices) else choices)]
    if isinstance(flt, django_filters.BooleanFilter):
        return [True, False]
    if isinstance(flt, django_filters.DateTimeFilter):
        return [timezone.now().isoformat()]
    if isinstance(flt, django_filters.DateFilter):
        return [str(timezone.localdate())]
    if name == "decision":
        hidden = sorted(pk for model, pk in scenario.hidden if model is Decision)
        return [*hidden, scenario.public.pk, scenario.withheld.pk]
    if name == "consultation":
        return [scenario.period.pk, scenario.draft_consultation.pk]
    if name == "q":
        return ["MARKER", MARKERS["FW-NAME"], MARKERS["FW2-NAME"], MARKERS["DRAFT-NAME"]]
    if name == "index_number":
        return [
            scenario.secret.index_number,
            scenario.withdrawn.index_number,
            scenario.draft.index_number,
        ]
    if name in ("department", "parent"):
        return ["fgw"]
    if isinstance(flt, django_filters.NumberFilter):
        return [scenario.secret.pk]
    return ["MARKER"]


def applicable_filters(filterset, model):
    """The filters of ``filterset`` that apply to ``model``. (A filter naming a field the model
    lacks is a 500, not a disclosure; a 500 inside the test's transaction would also break
    the database connection for the rest of the crawl.)"""
    if filterset is None:
        return []
    fields = model._meta.get_fields()
    names = {f.name for f in fields} | {getattr(f, "attname", f.name) for f in fields}
    return [
        (name, flt)
        for name, flt in filterset.base_filters.items()
        if flt.method is not None or flt.field_name.split("__")[0] in names
    ]


def crawl_list(crawl, path, page_size):
    """A list endpoint, following ``next`` to the end; returns every item."""
    url, items = f"{path}{'&' if '?' in path else '?'}page_size={page_size}", []
    while url:
        response = crawl.get(url)
        if response.status_code != 200:
            crawl.problems.append(f"GET {url}: HTTP {response.status_code}")
            return items
        body = response.json()
        items += body["results"]
        url = body.get("next")
        if url:
            url = urlsplit(url).path + "?" + urlsplit(url).query
    return items


def model_of(viewset):
    return getattr(viewset, "model", None) or viewset().base_queryset().model


def crawl_rest(crawl, scenario, *, writes=False):
    """The REST root, every list (paged both ways), every filter value, every detail of every
    row in the database, every GET sub-resource; with ``writes``, also anonymous POST and
    PATCH on hidden records (their error bodies must not reveal anything either)."""
    root = crawl.get("/api/v1/").json()
    viewsets = {prefix: viewset for prefix, viewset, _basename in build_router().registry}
    assert set(root) == set(viewsets), "a resource is missing from the crawl"
    for prefix, url in root.items():
        viewset, path = viewsets[prefix], urlsplit(url).path
        crawl_list(crawl, path, 500)
        crawl_list(crawl, path, 2)
        crawl.options(path)
        model = model_of(viewset)
        for name, flt in applicable_filters(getattr(viewset, "filterset_class", None), model):
            for value in filter_values(name, flt, scenario):
                value = str(value).lower() if isinstance(value, bool) else value
                crawl.get(f"{path}?{urlencode({name: value, 'page_size': 500})}")
        lookup = getattr(viewset, "lookup_field", "pk")
        actions = viewset.get_extra_actions()
        for pk, value in model.objects.values_list("pk", lookup):
            detail = f"{path}{value}/"
            crawl.expect_hidden(model, pk, crawl.get(detail))
            for action in actions:
                if action.detail and "get" in action.mapping:
                    crawl.expect_hidden(model, pk, crawl.get(f"{detail}{action.url_path}/"))
                if writes and (model, pk) in crawl.hidden and "post" in action.mapping:
                    response = crawl.post(f"{detail}{action.url_path}/")
                    crawl.expect_hidden(model, pk, response, allowed=(401, 404))
            if writes and (model, pk) in crawl.hidden:
                crawl.expect_hidden(model, pk, crawl.patch(detail), allowed=(401, 404, 405))


def crawl_docs(crawl, scenario):
    """The API documentation, GraphiQL, and the admin (a login redirect for the public)."""
    crawl.get("/api/schema/")
    crawl.get("/api/schema/?format=json")
    for path in ("/api/docs/", "/api/redoc/", "/graphql/"):
        crawl.get(path, HTTP_ACCEPT="text/html")
    crawl.get("/admin/decisions/decision/")
    crawl.get(f"/admin/decisions/decision/{scenario.secret.pk}/change/")


# --------------------------------------------------------------------------------------------
# GraphQL: queries generated from the introspected schema.

TYPE_REF = "kind name ofType { kind name ofType { kind name ofType { kind name } } }"
INTROSPECTION = (
    "{ __schema { queryType { name } types { name kind interfaces { name } enumValues { name } "
    f"fields {{ name type {{ {TYPE_REF} }} args {{ name defaultValue type {{ {TYPE_REF} }} }} }}"
    " } } }"
)
MAX_DEPTH = 4
PAGING_ARGS = {"offset", "before", "after", "first", "last"}


def named(ref):
    while ref.get("ofType"):
        ref = ref["ofType"]
    return ref["name"], ref["kind"]


def type_string(ref):
    if ref["kind"] == "NON_NULL":
        return type_string(ref["ofType"]) + "!"
    if ref["kind"] == "LIST":
        return f"[{type_string(ref['ofType'])}]"
    return ref["name"]


class Selections:
    """Selection sets with every scalar field and, down to ``MAX_DEPTH``, every relation
    (connections as ``edges { node { … } }``), never revisiting a type on the path."""

    def __init__(self, schema):
        self.types = {t["name"]: t for t in schema["types"]}
        self.query = self.types[schema["queryType"]["name"]]

    def connection_node(self, type_name):
        fields = {f["name"]: f for f in self.types[type_name]["fields"] or ()}
        if "edges" not in fields or "pageInfo" not in fields:
            return None
        edge = named(fields["edges"]["type"])[0]
        edge_fields = {f["name"]: f for f in self.types[edge]["fields"]}
        return named(edge_fields["node"]["type"])[0]

    def relation(self, field, path, depth):
        type_name, _kind = named(field["type"])
        node = self.connection_node(type_name)
        if node is not None:
            if node in path:
                return None
            args = "(first: 100)" if any(a["name"] == "first" for a in field["args"]) else ""
            inner = self.of(node, path | {node}, depth + 1)
            return f"{field['name']}{args} {{ edges {{ node {{ {inner} }} }} }}"
        if type_name in path or type_name == "PageInfo":
            return None
        return f"{field['name']} {{ {self.of(type_name, path | {type_name}, depth + 1)} }}"

    def of(self, type_name, path=frozenset(), depth=1):
        return " ".join(self.parts(type_name, path, depth))

    def parts(self, type_name, path=frozenset(), depth=1):
        """The scalars of the type, then one selection per relation."""
        parts = ["__typename"]
        if type_name == "Department" and len(path) > 1:
            depth = MAX_DEPTH  # its records are crawled from the departments root
        for field in self.types[type_name]["fields"]:
            required = [
                a
                for a in field["args"]
                if a["type"]["kind"] == "NON_NULL" and a["defaultValue"] is None
            ]
            if required:
                continue
            _name, kind = named(field["type"])
            if kind in ("SCALAR", "ENUM"):
                parts.append(field["name"])
            elif depth < MAX_DEPTH:
                selection = self.relation(field, path or {type_name}, depth)
                if selection:
                    parts.append(selection)
        return parts

    def root_queries(self, name, node):
        """The root connection ``name`` with its rows' own fields, then once per relation of
        its rows (one query holding every relation is slow to validate)."""
        scalars = self.of(node, frozenset({node}), depth=MAX_DEPTH)
        relations = [part for part in self.parts(node, frozenset({node})) if "{" in part]
        for part in (scalars, *relations):
            yield f"{{ {name}(first: 100) {{ edges {{ node {{ id {part} }} }} }} }}"

    def root_connections(self):
        for field in self.query["fields"]:
            node = self.connection_node(named(field["type"])[0])
            if node is not None:
                yield field, node

    def value(self, value, ref):
        """``value`` (a REST filter value) as a GraphQL variable of type ``ref``: choices
        become graphene's enum names (``lawful_with_risk`` -> ``LAWFUL_WITH_RISK``)."""
        if ref["kind"] == "NON_NULL":
            return self.value(value, ref["ofType"])
        if ref["kind"] == "LIST":
            return [self.value(value, ref["ofType"])]
        if ref["kind"] == "ENUM":
            name = re.sub(r"\W", "_", str(value)).upper()
            assert name in {v["name"] for v in self.types[ref["name"]]["enumValues"]}, name
            return name
        convert = {"Boolean": bool, "Int": int, "Float": float}.get(ref["name"], str)
        return convert(value)

    def node_types(self):
        return [
            t["name"]
            for t in self.types.values()
            if t["kind"] == "OBJECT" and any(i["name"] == "Node" for i in t["interfaces"] or ())
        ]


def crawl_graphql(crawl, scenario):
    """Every root connection with nested relations; every root connection again with every
    filter value; a relay node lookup of every row of every node type."""
    introspection = crawl.graphql(INTROSPECTION, label="introspection")
    selections = Selections(introspection["data"]["__schema"])
    for field, node in selections.root_connections():
        # Filter probes read the rows' own fields.
        for query in selections.root_queries(field["name"], node):
            crawl.graphql(query, label=field["name"])
        inner = selections.of(node, frozenset({node}), depth=MAX_DEPTH)
        meta = graphene_schema.graphql_schema.get_type(node).graphene_type._meta
        filters = dict(applicable_filters(getattr(meta, "filterset_class", None), meta.model))
        for arg in field["args"]:
            if arg["name"] in PAGING_ARGS:
                continue
            snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in arg["name"])
            if snake not in filters:
                crawl.problems.append(f"GraphQL {field['name']}({arg['name']}) is not probed")
                continue
            for value in filter_values(snake, filters[snake], scenario):
                query = (
                    f"query($v: {type_string(arg['type'])}) {{ {field['name']}"
                    f"(first: 100, {arg['name']}: $v) {{ edges {{ node {{ {inner} }} }} }} }}"
                )
                crawl.graphql(
                    query,
                    {"v": selections.value(value, arg["type"])},
                    label=f"{field['name']}({arg['name']}: {value!r})",
                )
    for type_name in selections.node_types():
        model = graphene_schema.graphql_schema.get_type(type_name).graphene_type._meta.model
        inner = selections.of(type_name, frozenset({type_name}), depth=MAX_DEPTH - 1)
        pks = list(model.objects.values_list("pk", flat=True))
        if not pks:
            continue
        for pk, row in lookup_nodes(crawl.graphql, type_name, pks, inner).items():
            if (model, pk) in crawl.hidden and row is not None:
                crawl.problems.append(f"GraphQL node {type_name}:{pk} is hidden but resolves")
    crawl.statistics_queries = crawl_statistics(
        crawl.graphql, introspection["data"]["__schema"], crawl.problems
    )


def crawl_everything(client, scenario, *, hidden=frozenset(), writes=False):
    crawl = Crawl(client, set(hidden))
    crawl_rest(crawl, scenario, writes=writes)
    crawl.rest_requests = len(crawl.responses)
    crawl_graphql(crawl, scenario)
    crawl_docs(crawl, scenario)
    crawl_change_feed(crawl.get)
    crawl_downloads(crawl)
    crawl.get("/api/v1/dictionary/")
    return crawl


def crawl_downloads(crawl):
    """Every resource's bulk export (none may list a hidden row), the change-feed export, a
    fresh snapshot and every Atom feed."""
    viewsets = {prefix: viewset for prefix, viewset, _basename in build_router().registry}
    for prefix, response in crawl_bulk_downloads(crawl.get, crawl.keep).items():
        if response.status_code != 200:
            crawl.problems.append(f"bulk export of {prefix}: HTTP {response.status_code}")
            continue
        model = model_of(viewsets[prefix])
        for row in response.body.decode().splitlines():
            pk = json.loads(row)["id"]
            if (model, pk) in crawl.hidden:
                crawl.problems.append(f"the bulk export of {prefix} lists hidden {pk}")


# --------------------------------------------------------------------------------------------
# The test.


def report(found):
    return "\n".join(
        f"  {key} ({MARKERS[key]}) in: {', '.join(sorted(set(where))[:6])}"
        for key, where in sorted(found.items())
    )


# Each reader's crawl is its own test, so that parallel workers share the long crawls.
@pytest.mark.parametrize("reader", ["anonymous", "other_editor"])
def test_nothing_withheld_reaches_the_public(client_for, scenario, reader):
    # Staff of another department are the public for fgw's records.
    crawl = crawl_everything(
        client_for(reader), scenario, hidden=scenario.hidden, writes=reader == "anonymous"
    )

    # The rule: no marker in any public response; hidden records are 404 / null everywhere.
    leaks = crawl.markers_found()
    assert not leaks, f"withheld content reached {reader}:\n" + report(leaks)
    assert crawl.problems == [], f"{reader}:\n" + "\n".join(crawl.problems)

    # Positive controls: the crawl reaches the public content (pre-published drafts of an
    # open consultation included).
    for surface in ("GET /api/v1/", "GraphQL "):
        missing = [k for k, text in PUBLIC.items() if not crawl.seen(text, surface)]
        assert missing == [], f"{surface} did not show public content: {missing}"
    assert crawl.seen(PUBLIC_FILE_CONTENT), "the public document's download was not crawled"
    for surface in (
        "GET /api/v1/decisions/bulk-export/",
        "GET /api/v1/changes/bulk-export/",
        "snapshot decisions.ndjson",
        "GET /feeds/publications.atom",
        "GET /feeds/publications/decisions.atom",
        "GET /feeds/departments/fgw.atom",
    ):
        assert crawl.seen(PUBLIC["PUB-NAME"], surface), f"{surface} is not crawled"
    for surface in ("snapshot consultations.ndjson", "GET /feeds/consultations-open.atom"):
        assert crawl.seen(PUBLIC["PUB-CONSULTATION"], surface), surface
    assert crawl.seen(PUBLIC["COMMENT"], "snapshot comments.ndjson")
    if reader == "anonymous":
        assert crawl.rest_requests >= 400, crawl.rest_requests
        assert crawl.graphql_queries >= 150, crawl.graphql_queries
        assert crawl.statistics_queries >= 60, crawl.statistics_queries


def test_every_marker_is_where_the_crawl_looks(client_for, scenario):
    """The same crawl run by oversight (who reads everything) finds every marker, so each
    marker sits somewhere the public crawls look."""
    oversight = crawl_everything(client_for("oversight"), scenario)
    unreached = sorted(set(MARKERS) - set(oversight.markers_found()))
    assert unreached == [], f"markers the crawl cannot reach even as oversight: {unreached}"


def test_withheld_surfaces_and_what_members_see(client_for, scenario):
    # Specific surfaces and counts.
    api = client_for("anonymous")
    assert api.get(f"/api/v1/decisions/?q={MARKERS['FW-NAME'][:12]}").json()["results"] == []
    assert api.get("/api/v1/decisions/?confidentiality=fully_withheld").json()["results"] == []
    listed = {d["id"] for d in api.get("/api/v1/decisions/?page_size=500").json()["results"]}
    assert scenario.public.pk in listed and scenario.withheld.pk in listed
    assert not listed & {scenario.secret.pk, scenario.withdrawn.pk, scenario.draft.pk}
    period = api.get(f"/api/v1/consultations/{scenario.period.pk}/").json()
    assert period["published_comments"] == 1  # not the pending and rejected ones
    withheld = api.get(f"/api/v1/decisions/{scenario.withheld.pk}/").json()
    assert withheld["legal_basis"] is None
    assert withheld["confidentiality_ground"] == PUBLIC["DW-GROUND"]
    assert [d["kind"] for d in withheld["documents"]] == ["other"]
    for pk in scenario.hidden_documents:
        assert api.get(f"/api/v1/decision-documents/{pk}/download/").status_code == 404
    # The pre-published drafts of an open consultation are public.
    public_documents = api.get(f"/api/v1/decisions/{scenario.public.pk}/documents/").json()
    assert {d["kind"] for d in public_documents} == {"draft", "explanation"}

    # Members see what is withheld from the public …
    editor = client_for("editor")
    assert (
        plant("DW-LEGAL-BASIS")
        == editor.get(f"/api/v1/decisions/{scenario.withheld.pk}/").json()["legal_basis"]
    )
    assert (
        plant("COMMENT-CONTACT")
        == editor.get(f"/api/v1/comments/{scenario.published_comment.pk}/").json()["contact"]
    )
    query = f'{{ node(id: "{to_global_id("Decision", scenario.withheld.pk)}") ' + (
        "{ ... on Decision { legalBasis } } }"
    )
    member_graph = editor.post("/graphql/", {"query": query}, format="json").json()
    assert member_graph["data"]["node"]["legalBasis"] == plant("DW-LEGAL-BASIS")
