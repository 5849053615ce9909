"""The entries of the endpoint permission matrix (see tests/endpoint_matrix.py): for every
endpoint and method, the status of each role. Roles: ``editor``, ``publisher`` and
``department_admin`` of fgw (the records' department), ``other_editor`` and
``other_publisher`` of scjgj, the district-wide ``oversight`` and ``legality_reviewer``, a
superuser, and anonymous readers."""

from functools import cache

from tests.endpoint_matrix import (
    CREATE,
    EDIT_DRAFT,
    EVERYONE,
    READ_DRAFT,
    ROLES,
    WITHDRAW_PUBLISHED,
    Entry,
    record_entries,
    table,
)

# A bulk import creates records of the importer's department.
CREATE_MANY = CREATE
# Adding a part (a document, an adoption item, a project's target or funding line, a bond's
# project) to a draft is an edit of the draft.
ADD_TO_DRAFT = table(EDIT_DRAFT, editor=201, superuser=201)
# Publishers move a decision through its procedure, adjust a published catalogue (a new
# version, 201), extend a consultation and record a credit repair, as they withdraw.
PUBLISHERS_ACT = WITHDRAW_PUBLISHED
ADJUST = table(PUBLISHERS_ACT, publisher=201, superuser=201)
# Anyone may comment on an open consultation; a pending comment is read and moderated like
# a draft of the consultation's department.
COMMENT = dict.fromkeys(ROLES, 201)
READ_PENDING_COMMENT = READ_DRAFT
MODERATE_PENDING = EDIT_DRAFT
# Legality reviews are recorded by the district's legality reviewers (here on a published
# decision, so the other department is refused with 403). Reviews are read by the decision's
# department, the reviewers and oversight: the other department does not see the one being
# completed (404).
RECORD_REVIEW = table(
    dict.fromkeys(ROLES, 403), anonymous=401, legality_reviewer=201, superuser=201
)
READ_REVIEW = table(READ_DRAFT, legality_reviewer=200)
COMPLETE_REVIEW = table(
    RECORD_REVIEW, other_editor=404, other_publisher=404, legality_reviewer=200, superuser=200
)

# Token login takes credentials, not a token: every caller signs in with the editor's.
CORE = {
    ("auth-token", "POST"): Entry(EVERYONE),
    ("api-root", "GET"): Entry(EVERYONE),
    ("dictionary", "GET"): Entry(EVERYONE),
    ("changes", "GET"): Entry(EVERYONE),
    ("changes-export", "GET"): Entry(EVERYONE),
    # The manifest of the editor's own download (it may count drafts): the editor's alone.
    ("export-manifest", "GET"): Entry(
        table(dict.fromkeys(ROLES, 404), editor=200), "editor_manifest", lookup="manifest_id"
    ),
    ("snapshot", "GET"): Entry(EVERYONE),
    ("snapshot-manifest", "GET"): Entry(EVERYONE),
    # Compliance counts are public; the records behind them and the deadline reminders need
    # a sign-in and are narrowed by the permission path (empty for readers who see no
    # department in full).
    ("compliance", "GET"): Entry(EVERYONE),
    ("compliance-detail", "GET"): Entry(
        table(EVERYONE, anonymous=401), kwargs={"code": "enforcement_action_publication"}
    ),
    ("compliance-deadlines", "GET"): Entry(table(EVERYONE, anonymous=401)),
    # Public statistics: the same figures for every reader.
    ("annual-report", "GET"): Entry(EVERYONE),
    ("schema", "GET"): Entry(EVERYONE),
    ("swagger-ui", "GET"): Entry(EVERYONE),
    ("redoc", "GET"): Entry(EVERYONE),
    ("feed-publications", "GET"): Entry(EVERYONE),
    ("feed-registry-publications", "GET"): Entry(EVERYONE, kwargs={"registry": "decisions"}),
    ("feed-department-publications", "GET"): Entry(EVERYONE, kwargs={"department": "fgw"}),
    ("feed-list", "GET"): Entry(EVERYONE, kwargs={"slug": "consultations-open"}),
    ("graphql", "GET"): Entry(EVERYONE),
    ("graphql", "POST"): Entry(EVERYONE),
    ("healthz", "GET"): Entry(EVERYONE),
    # The public dashboard page (oversight also gets links to the compliance detail).
    ("dashboard", "GET"): Entry(EVERYONE),
    ("departments-list", "GET"): Entry(EVERYONE),
    ("departments-bulk-export", "GET"): Entry(EVERYONE),
    ("departments-detail", "GET"): Entry(EVERYONE, kwargs={"code": "fgw"}),
    **record_entries("test-notices", "core"),
}


DECISION_RECORDS = [
    "catalogues",
    "decisions",
    "consultations",
    "adoption-reports",
    "hearings",
    "expert-opinions",
    "implementation-updates",
    "audit-findings",
    "accountability-results",
    "evaluations",
]


def _decisions():
    special = {
        ("catalogues-versions", "GET"): Entry(READ_DRAFT, "draft"),
        ("catalogues-adjust", "POST"): Entry(ADJUST, "published"),
        ("decisions-stage", "POST"): Entry(PUBLISHERS_ACT, "decision"),
        ("decisions-documents", "GET"): Entry(READ_DRAFT, "draft"),
        ("decisions-documents", "POST"): Entry(ADD_TO_DRAFT, "draft"),
        ("decision-documents-list", "GET"): Entry(EVERYONE),
        ("decision-documents-bulk-export", "GET"): Entry(EVERYONE),
        ("decision-documents-detail", "GET"): Entry(READ_DRAFT, "draft_document"),
        ("decision-documents-download", "GET"): Entry(READ_DRAFT, "draft_document"),
        ("consultations-comments", "GET"): Entry(EVERYONE, "open_consultation"),
        ("consultations-comments", "POST"): Entry(COMMENT, "open_consultation"),
        ("consultations-extend", "POST"): Entry(PUBLISHERS_ACT, "open_consultation"),
        ("comments-list", "GET"): Entry(EVERYONE),
        ("comments-bulk-export", "GET"): Entry(EVERYONE),
        ("comments-detail", "GET"): Entry(READ_PENDING_COMMENT, "pending_comment"),
        ("comments-moderate", "POST"): Entry(MODERATE_PENDING, "pending_comment"),
        ("adoption-reports-items", "POST"): Entry(ADD_TO_DRAFT, "draft"),
        ("legality-reviews-list", "GET"): Entry(EVERYONE),
        ("legality-reviews-bulk-export", "GET"): Entry(EVERYONE),
        ("legality-reviews-list", "POST"): Entry(RECORD_REVIEW),
        ("legality-reviews-detail", "GET"): Entry(READ_REVIEW, "pending_review"),
        ("legality-reviews-complete", "POST"): Entry(COMPLETE_REVIEW, "pending_review"),
    }
    return _suite("decisions", DECISION_RECORDS, special)


ENFORCEMENT_RECORDS = [
    "enforcement-bodies",
    "enforcement-powers",
    "enforcement-officers",
    "enforcement-actions",
    "inspection-plans",
    "inspection-results",
]


def _enforcement():
    special = {
        ("enforcement-actions-bulk-import", "POST"): Entry(CREATE_MANY),
        ("enforcement-actions-export", "GET"): Entry(EVERYONE),
        ("enforcement-actions-redaction-policy", "GET"): Entry(EVERYONE),
        ("enforcement-actions-repair", "POST"): Entry(PUBLISHERS_ACT, "published"),
        ("inspection-plans-draw", "POST"): Entry(EDIT_DRAFT, "draft"),
        ("inspection-plans-verify", "GET"): Entry(READ_DRAFT, "draft"),
    }
    return _suite("enforcement", ENFORCEMENT_RECORDS, special)


FISCAL_RECORDS = [
    "investment-projects",
    "project-progress",
    "self-evaluations",
    "debt-reports",
    "bonds",
    "bond-disclosures",
]


def _fiscal():
    special = {
        ("investment-projects-undisclosed", "GET"): Entry(EVERYONE),
        ("investment-projects-funding", "POST"): Entry(ADD_TO_DRAFT, "draft"),
        ("investment-projects-targets", "POST"): Entry(ADD_TO_DRAFT, "draft"),
        ("debt-reports-trend", "GET"): Entry(EVERYONE),
        ("bonds-projects", "POST"): Entry(ADD_TO_DRAFT, "draft"),
    }
    return _suite("fiscal", FISCAL_RECORDS, special)


def _suite(name, records, special):
    entries = {}
    for prefix in records:
        entries.update(record_entries(prefix, name))
    for key, entry in special.items():
        entries[key] = Entry(entry.statuses, entry.target, name, entry.kwargs, entry.lookup)
    return entries


@cache
def matrix():
    return {**CORE, **_decisions(), **_enforcement(), **_fiscal()}
