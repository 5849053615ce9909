"""Who may read and write every record resource of the major-decision registry (the matrix
of ``tests/test_permission_matrix.py`` applied to each of them), who sees public comments,
their contact details and the legality reviews, and that no list endpoint issues a query per
row.

The data is built once per module (``world``) inside an outer transaction; every test runs in
a savepoint that is rolled back, so each one starts from the same state and the file stays
fast."""

import datetime
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

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
)
from decisions.services import catalogue as catalogue_service
from decisions.services import consultations, lifecycle, reviews
from registry.models import Department
from registry.services import workflow
from tests.decisions import builders
from tests.endpoint_entries import DECISION_RECORDS as RECORD_RESOURCES
from tests.endpoint_matrix import EndpointMatrix, route_suffix
from tests.matrix import DraftMatrix, fresh
from tests.test_permission_matrix import (
    CREATE,
    EDIT_PUBLISHED,
    READ_DRAFT,
    ROLES,
    WITHDRAW_PUBLISHED,
)
from tests.world import (
    api_client,
    create_user,
    people_world,
    tokens_for,
)

API = "/api/v1/"
ROWS = 12  # published rows per list endpoint for the query counts (more than one page of 10)
SECRET_GROUND = "《中华人民共和国保守国家秘密法》第九条"

PART_MODELS = {
    "hearings": Hearing,
    "expert-opinions": ExpertOpinion,
    "implementation-updates": ImplementationUpdate,
    "audit-findings": AuditFinding,
    "accountability-results": AccountabilityResult,
    "evaluations": Evaluation,
}
PARTS_AND_REPORTS = ["consultations", "adoption-reports", *PART_MODELS]
MODELS = {
    "catalogues": Catalogue,
    "decisions": Decision,
    "consultations": Consultation,
    "adoption-reports": AdoptionReport,
    **PART_MODELS,
}

# A draft decision that has reached the legality review stage: legality reviewers see it
# (and only see it) — every other role as for any draft.
REVIEWED = "reviewed-decision"
OVERRIDES = {
    REVIEWED: {
        "read": {"legality_reviewer": 200},
        "edit": {"legality_reviewer": 403},
        "publish": {"legality_reviewer": 403},
    }
}


def expected(table, check, case, role):
    return OVERRIDES.get(case, {}).get(check, {}).get(role, table[role])


def url_of(case):
    return API + ("decisions" if case == REVIEWED else case) + "/"


def part_fields(resource):
    """The model fields a part needs besides the record base (see the models' ``clean``)."""
    today = timezone.localdate()
    return {
        "hearings": builders.hearing_fields(),
        "expert-opinions": {
            "expert_name": "王教授",
            "organisation": "某大学",
            "opinion": "方案总体可行",
            "independence_attested": True,
            "attestation": "本人与决策事项无利害关系",
        },
        "implementation-updates": {"progress_percent": 40},
        "audit-findings": {"source": "audit", "finding": "收费标准公示不完整"},
        "accountability-results": {"result": "约谈相关负责人"},
        "evaluations": {
            "trigger": "scheduled",
            "evaluator": "第三方评估机构",
            "report": "实施效果良好",
            "completed_on": today,
        },
    }[resource]


def as_json(fields):
    return {
        k: v.isoformat() if isinstance(v, datetime.date | datetime.datetime) else v
        for k, v in fields.items()
    }


# ---------------------------------------------------------------------------------------------
# The world: built once per module.


def _closed_consultation(decision, editor, publisher, *, publish=True):
    """A published consultation whose period ended ten days ago (published while open)."""
    opens = timezone.localdate() - datetime.timedelta(days=40)
    record = builders.consultation(decision, editor, opens_on=opens, days=30)
    if publish:
        with mock.patch("decisions.models.consultation.local_today", return_value=opens):
            record = workflow.publish(record, acting_user=publisher)
    return record


def _adoption_report(consultation, editor, *, publisher=None, items=2):
    report = workflow.create(
        AdoptionReport,
        acting_user=editor,
        department=consultation.department,
        consultation=consultation,
        name="意见采纳情况",
        date_made=timezone.localdate(),
    )
    for number in range(items):
        consultations.add_adoption_item(
            report,
            acting_user=editor,
            theme=f"意见主题{number}",
            outcome="partly_adopted",
            reason="兼顾成本",
        )
    if publisher is not None:
        report = workflow.publish(report, acting_user=publisher)
    return report


def _record(resource, w, *, publish, year):
    """A record of ``resource`` of department fgw (a draft, or published)."""
    editor, publisher = w.users["editor"], w.users["publisher"]
    by = publisher if publish else None
    if resource == "catalogues":
        return builders.catalogue(w.fgw, publisher, editor, year=year, publish=publish)
    if resource == "decisions":
        return builders.decision(w.fgw, editor, w.catalogue, publisher=by, name=f"决策{year}")
    if resource == "consultations":
        return builders.consultation(w.decision, editor, publisher=by)
    if resource == "adoption-reports":
        period = _closed_consultation(w.decision, editor, publisher)
        return _adoption_report(period, editor, publisher=by)
    return builders.part(
        PART_MODELS[resource], w.decision, editor, publisher=by, **part_fields(resource)
    )


def _withheld_decision_at_review(w, *, publisher=None):
    """A decision (withheld draft, so no consultation is needed) at stage legality_review."""
    record = builders.decision(
        w.fgw,
        w.users["editor"],
        w.catalogue,
        publisher=publisher,
        name="关于涉密事项的决策",
        confidentiality="draft_withheld",
        confidentiality_ground=SECRET_GROUND,
    )
    for stage in ("drafting", "legality_review"):
        record = lifecycle.advance(record, stage, acting_user=w.users["publisher"])
    return record


def _build_world():
    w = people_world()
    today = timezone.localdate()
    w.office = Department.objects.create(
        code="qzfb", name_zh="区政府办公室", kind="district_office"
    )
    office_users = {
        "office_editor": create_user("office_editor", ("editor", w.office)),
        "office_publisher": create_user("office_publisher", ("publisher", w.office)),
    }
    w.users.update(office_users)
    w.tokens.update(tokens_for(office_users))
    editor, publisher = w.users["editor"], w.users["publisher"]
    office_people = (w.users["office_publisher"], w.users["office_editor"])

    # The published 2026 catalogue (issued by the office) and a listed decision of fgw.
    w.catalogue = builders.catalogue(w.office, *office_people)
    w.decision = builders.decision(w.fgw, editor, w.catalogue, publisher=publisher)

    # One draft and one published record of fgw per resource (the permission matrix).
    w.drafts = {r: _record(r, w, publish=False, year=2027) for r in RECORD_RESOURCES}
    w.drafts[REVIEWED] = _withheld_decision_at_review(w)
    w.published = {r: _record(r, w, publish=True, year=2029) for r in RECORD_RESOURCES}
    # Published but not public: a fully withheld decision (and a part of it), and a part
    # withheld on a ground of the OGI regulation.
    w.secret_decision = builders.decision(
        w.fgw,
        editor,
        w.catalogue,
        publisher=publisher,
        name="依法保密的决策",
        confidentiality="fully_withheld",
        confidentiality_ground=SECRET_GROUND,
    )
    w.withheld = {
        "decisions": w.secret_decision,
        "implementation-updates": builders.part(
            ImplementationUpdate, w.secret_decision, editor, publisher=publisher
        ),
        "audit-findings": builders.part(
            AuditFinding,
            w.decision,
            editor,
            publisher=publisher,
            withheld_ground="internal_affairs",
            withheld_legal_basis="《中华人民共和国政府信息公开条例》第十六条",
            **part_fields("audit-findings"),
        ),
    }
    # A published decision of the other department.
    w.other_decision = builders.decision(
        w.scjgj,
        w.users["other_editor"],
        w.catalogue,
        publisher=w.users["other_publisher"],
        name="市场监管局的决策",
    )
    # A closed, published consultation without an adoption report (create matrix).
    w.unreported = _closed_consultation(w.decision, editor, publisher)

    # An open consultation with a pending, a published and a rejected comment.
    w.open_consultation = builders.consultation(w.decision, editor, publisher=publisher)
    w.comments = {}
    for state, contact in (
        ("pending", "13800000001"),
        ("published", "13800000002"),
        ("rejected", "13800000003"),
    ):
        comment = consultations.submit_comment(
            w.open_consultation, content=f"{state} 意见", author_name="市民", contact=contact
        )
        if state != "pending":
            comment = consultations.moderate_comment(
                comment,
                acting_user=editor,
                publish=state == "published",
                rejection_reason="" if state == "published" else "spam",
            )
        w.comments[state] = comment

    # A published, withheld decision at the legality review stage with ROWS completed reviews.
    w.reviewed = _withheld_decision_at_review(w, publisher=publisher)
    for _ in range(ROWS):
        builders.lawful_review(
            w.reviewed,
            w.users["legality_reviewer"],
            datetime.date(2026, 9, 1),
            datetime.date(2026, 10, 30),
        )

    # Rows for the query counts: ROWS published records on every list endpoint.
    for year in range(2030, 2030 + ROWS - 2):  # with 2026 (office) and 2029 (fgw): ROWS
        builders.catalogue(w.office, *office_people, year=year)
    w.small_catalogue = Catalogue.objects.get(year=2030)
    for number in range(2, ROWS + 1):  # the 2026 catalogue gets ROWS versions
        catalogue_service.publish_adjustment(
            w.catalogue,
            acting_user=w.users["office_publisher"],
            note=f"第{number}次调整",
            approval_date=today,
        )
    w.pool = [
        builders.decision(w.fgw, editor, w.catalogue, publisher=publisher, name=f"列表决策{i}")
        for i in range(ROWS)
    ]
    for record in w.pool:  # published with its decision (the draft once consulted on)
        period = _closed_consultation(record, editor, publisher)
        _adoption_report(period, editor, publisher=publisher)
    # The rows below only need to exist: they are written directly, not through the services.
    w.small_decision = w.pool[1]
    documents = [(w.pool[0], "other", number) for number in range(1, ROWS + 1)]
    documents += [(record, "other", 1) for record in w.pool[1:]]
    documents += [(record, "draft", 1) for record in w.pool[2:]]
    DecisionDocument.objects.bulk_create(
        DecisionDocument(
            decision=record,
            kind=kind,
            version=version,
            title=f"{kind} v{version}",
            file=f"decisions/{record.pk}/{kind}/{version}",
            original_name="material.pdf",
            content_type="application/pdf",
            size=len(builders.PDF),
            sha256="0" * 64,
            uploaded_by=editor,
        )
        for record, kind, version in documents
    )
    now = timezone.now()
    for resource, model in PART_MODELS.items():
        model.objects.bulk_create(
            model(
                department=w.fgw,
                decision=record,
                index_number=f"fgw/{resource}-{number:03d}",
                name=f"{model._meta.verbose_name}{number}",
                date_made=today,
                status="published",
                published_at=now,
                **part_fields(resource),
            )
            for number, record in enumerate(w.pool)
        )
    for i in range(ROWS):
        comment = consultations.submit_comment(
            w.open_consultation,
            content=f"意见{i}",
            author_name=f"市民{i}",
            contact=f"1390000{i:04d}",
        )
        consultations.moderate_comment(comment, acting_user=editor, publish=True)
    # For the endpoint matrix: a document of the draft decision and an open review.
    w.draft_document = builders.upload_draft(w.drafts["decisions"], editor)
    w.pending_comment = w.comments["pending"]
    w.pending_review = reviews.start_review(
        w.drafts[REVIEWED],
        acting_user=w.users["legality_reviewer"],
        started_on=datetime.date(2026, 9, 1),
    )
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        with transaction.atomic():
            yield _build_world()
            transaction.set_rollback(True)


@pytest.fixture
def w(world, db):
    """The module's data; the test runs in a savepoint that is rolled back afterwards."""
    return world


def client(w, role):
    return api_client(w.tokens.get(role))


# ---------------------------------------------------------------------------------------------
# 1. The permission matrix of every record resource.


@pytest.fixture(params=[REVIEWED])  # the other drafts: TestEndpointMatrix
def case(request):
    return request.param


class TestEndpointMatrix(EndpointMatrix):
    """Every endpoint of the decisions registry, as tests/endpoint_entries.py says."""

    suite = "decisions"

    def request_format(self, key):
        return "multipart" if key == ("decisions-documents", "POST") else "json"

    def body(self, w, key, obj):
        name, method = key
        resource, action = route_suffix(name)
        today = str(timezone.localdate())
        bodies = {
            "withdraw": {"reason": "决策事项已调整", "legal_basis": "《条例》第三十九条"},
            "amend": {"reason": "更正错字", "summary": "更正"},
            "adjust": {"note": "调整", "approval_date": today},
            "stage": {"stage": "drafting"},
            "extend": {
                "closes_on": str(w.open_consultation.closes_on + datetime.timedelta(days=10)),
                "notice": "延长征求意见期限",
            },
            "moderate": {"publish": True},
            "items": {"theme": "主题", "outcome": "partly_adopted", "reason": "兼顾成本"},
            "complete": {"completed_on": today, "result": "lawful"},
        }
        if method == "GET":
            return None
        if resource == "legality-reviews" and action == "list":
            return {"decision": w.reviewed.pk, "started_on": today}
        if action == "documents":
            return {"kind": "other", "title": "附件", "file": builders.pdf()}
        if action == "comments":
            return {"content": "建议延长开放时间", "contact": "13912345678"}
        if (action, method) in (("list", "POST"), ("detail", "PUT")):
            return create_body(w, resource)
        if method == "PATCH":
            return {"summary": "x"}
        return bodies.get(action)


class TestDraftMatrix(DraftMatrix):
    """Read, edit and publish a draft decision at the legality review stage, which legality
    reviewers may read."""

    def url_of(self, case):
        return url_of(case)

    def expected(self, table, operation, case, role):
        return expected(table, operation, case, role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("resource", RECORD_RESOURCES)
def test_write_published(w, resource, role):
    """A published record is public, so outsiders are refused with 403 (not 404); members
    must amend rather than edit it; only publishers withdraw it."""
    record = w.published[resource]
    url = f"{API}{resource}/{record.pk}/"
    response = client(w, role).patch(url, {"summary": "x"}, format="json")
    assert response.status_code == EDIT_PUBLISHED[role], response.content
    assert fresh(record).summary != "x"
    body = {"reason": "决策事项已调整", "legal_basis": "《重大行政决策程序暂行条例》第三十九条"}
    response = client(w, role).post(f"{url}withdraw/", body, format="json")
    assert response.status_code == WITHDRAW_PUBLISHED[role], response.content
    assert (fresh(record).status == "withdrawn") == (WITHDRAW_PUBLISHED[role] == 200)


def create_body(w, resource):
    today = timezone.localdate()
    base = {"name": "新记录", "date_made": str(today)}
    if resource == "catalogues":
        return {**base, "department": "fgw", "year": 2045, "date_made": "2045-01-15"}
    if resource == "decisions":
        return {**base, "department": "fgw", "catalogue": w.catalogue.pk, "category": "plan"}
    # Parts: the department follows the decision (or consultation); a department in the body
    # is ignored, so it cannot be used to write for another department.
    base["department"] = "scjgj"
    if resource == "adoption-reports":
        return {**base, "consultation": w.unreported.pk}
    if resource == "consultations":
        return {
            **base,
            "decision": w.decision.pk,
            "opens_on": str(today),
            "closes_on": str(today + datetime.timedelta(days=30)),
            "channels": ["online"],
        }
    return {**base, "decision": w.decision.pk, **as_json(part_fields(resource))}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("resource", RECORD_RESOURCES)
def test_create(w, resource, role):
    model = MODELS[resource]
    before = model.objects.count()
    response = client(w, role).post(f"{API}{resource}/", create_body(w, resource), format="json")
    assert response.status_code == CREATE[role], response.content
    assert model.objects.count() == before + (CREATE[role] == 201)
    if response.status_code == 201:
        assert response.json()["status"] == "draft"
        assert response.json()["department"] == "fgw"


@pytest.mark.parametrize("resource", PARTS_AND_REPORTS)
def test_parts_of_a_hidden_decision_are_refused_as_nonexistent(w, resource):
    """Writing a part for a decision (or consultation) the writer cannot see is refused as if
    it did not exist."""
    body = create_body(w, resource)
    hidden = w.drafts["decisions"]
    if resource == "adoption-reports":
        body["consultation"] = w.drafts["consultations"].pk
    else:
        body["decision"] = hidden.pk
    response = client(w, "other_editor").post(f"{API}{resource}/", body, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()["errors"]) == {
        "consultation" if resource == "adoption-reports" else "decision"
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("resource", ["decisions", "implementation-updates", "audit-findings"])
def test_published_but_withheld_is_not_public(w, resource, role):
    """Published is not enough: a fully withheld decision (and its parts) and a record withheld
    on a legal ground are seen only as drafts are."""
    record = w.withheld[resource]
    status = READ_DRAFT[role]
    response = client(w, role).get(f"{API}{resource}/{record.pk}/")
    assert response.status_code == status, response.content
    listed = client(w, role).get(f"{API}{resource}/", {"status": "published", "page_size": 500})
    assert (record.pk in [r["id"] for r in listed.json()["results"]]) == (status == 200)


def test_a_record_cannot_be_moved_to_another_department(w):
    """Editors of fgw may not move a draft into another department, neither directly nor by
    attaching a part to another department's decision."""
    editor = client(w, "editor")
    draft = w.drafts["decisions"]
    response = editor.patch(f"{API}decisions/{draft.pk}/", {"department": "scjgj"}, format="json")
    assert response.status_code == 403, response.content
    assert fresh(draft).department_id == w.fgw.pk
    part = w.drafts["implementation-updates"]
    response = editor.patch(
        f"{API}implementation-updates/{part.pk}/", {"decision": w.other_decision.pk}, format="json"
    )
    assert response.status_code == 403, response.content
    assert fresh(part).decision_id == w.decision.pk


@pytest.mark.parametrize("resource", RECORD_RESOURCES)
def test_write_responses_show_the_record_as_a_read_does(w, resource):
    """The body returned by a create or an edit is the record as ``GET`` shows it (all its
    fields: the decision's documents, the consultation's comment count …)."""
    editor = client(w, "editor")
    draft = w.drafts[resource]
    patched = editor.patch(f"{API}{resource}/{draft.pk}/", {"summary": "x"}, format="json")
    assert patched.status_code == 200, patched.content
    created = editor.post(f"{API}{resource}/", create_body(w, resource), format="json")
    assert created.status_code == 201, created.content
    missing = {
        "PATCH": set(editor.get(f"{API}{resource}/{draft.pk}/").json()) - set(patched.json()),
        "POST": set(editor.get(f"{API}{resource}/{created.json()['id']}/").json())
        - set(created.json()),
    }
    assert missing == {"PATCH": set(), "POST": set()}


STAGE = WITHDRAW_PUBLISHED  # moving a decision through the procedure is the publisher's
ADJUST = {role: 201 if status == 200 else status for role, status in STAGE.items()}
UPLOAD = CREATE  # uploading a document is an edit of the decision


@pytest.mark.parametrize("role", ROLES)
def test_decision_actions(w, role):
    """The decisions' own write actions follow the same roles: a stage change and a catalogue
    adjustment are a publisher's, uploading a document an editor's."""
    api = client(w, role)
    got = {
        "stage": api.post(
            f"{API}decisions/{w.decision.pk}/stage/", {"stage": "drafting"}, format="json"
        ).status_code,
        "adjust": api.post(
            f"{API}catalogues/{w.published['catalogues'].pk}/adjust/",
            {"note": "调整", "approval_date": str(timezone.localdate())},
            format="json",
        ).status_code,
        "upload": api.post(
            f"{API}decisions/{w.decision.pk}/documents/",
            {"kind": "other", "title": "附件", "file": builders.pdf()},
            format="multipart",
        ).status_code,
    }
    assert got == {"stage": STAGE[role], "adjust": ADJUST[role], "upload": UPLOAD[role]}


# ---------------------------------------------------------------------------------------------
# 2. Public comments.

SEES_CONTACT = {
    "anonymous": False,
    "editor": True,
    "publisher": True,
    "department_admin": True,
    "other_editor": False,
    "other_publisher": False,
    "oversight": True,
    "legality_reviewer": False,
    "superuser": True,
}
MODERATE_PENDING = {
    "anonymous": 401,
    "editor": 200,
    "publisher": 403,
    "department_admin": 403,
    "other_editor": 404,
    "other_publisher": 404,
    "oversight": 403,
    "legality_reviewer": 404,
    "superuser": 200,
}
MODERATE_PUBLISHED = {
    **MODERATE_PENDING,
    "other_editor": 403,
    "other_publisher": 403,
    "legality_reviewer": 403,
}


@pytest.fixture
def no_throttle_history():
    cache.clear()
    yield
    cache.clear()


def test_anonymous_comments_on_an_open_consultation_and_writes_nothing_else(w, no_throttle_history):
    anonymous = client(w, "anonymous")
    period = w.open_consultation
    url = f"{API}consultations/{period.pk}/"
    response = anonymous.post(
        f"{url}comments/", {"content": "建议延长开放时间", "contact": "13912345678"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "pending"
    assert "contact" not in response.json()
    assert Comment.objects.get(pk=response.json()["id"]).contact == "13912345678"
    # a draft consultation does not exist for the public
    draft = w.drafts["consultations"]
    response = anonymous.post(
        f"{API}consultations/{draft.pk}/comments/", {"content": "意见"}, format="json"
    )
    assert response.status_code == 404
    writes = [
        ("post", f"{API}consultations/", {"name": "x"}),
        ("patch", url, {"summary": "x"}),
        ("put", url, {"summary": "x"}),
        ("post", f"{url}submit/", {}),
        ("post", f"{url}publish/", {}),
        ("post", f"{url}withdraw/", {"reason": "x", "legal_basis": "x"}),
        ("post", f"{url}amend/", {"reason": "x", "summary": "x"}),
        ("post", f"{url}extend/", {"closes_on": "2027-06-30", "notice": "x"}),
        ("post", f"{API}comments/{w.comments['pending'].pk}/moderate/", {"publish": True}),
        ("post", f"{API}decisions/{w.decision.pk}/stage/", {"stage": "drafting"}),
        ("post", f"{API}legality-reviews/", {"decision": w.reviewed.pk}),
    ]
    statuses = {
        (method, path): getattr(anonymous, method)(path, body, format="json").status_code
        for method, path, body in writes
    }
    assert statuses == {key: 401 for key in statuses}


@pytest.mark.parametrize("role", ROLES)
def test_comment_list_shows_pending_and_contact_only_to_the_sponsor(w, role):
    full = SEES_CONTACT[role]
    response = client(w, role).get(
        f"{API}comments/", {"consultation": w.comments["pending"].consultation_id, "page_size": 500}
    )
    assert response.status_code == 200
    results = response.json()["results"]
    states = {c["status"] for c in results}
    assert states == ({"pending", "published", "rejected"} if full else {"published"})
    assert all(("contact" in c) == full for c in results)
    if full:
        by_id = {c["id"]: c["contact"] for c in results}
        assert by_id[w.comments["pending"].pk] == "13800000001"
    else:
        assert "1380000000" not in response.content.decode()
    detail = client(w, role).get(f"{API}comments/{w.comments['pending'].pk}/")
    assert detail.status_code == (200 if full else 404)
    published = client(w, role).get(f"{API}comments/{w.comments['published'].pk}/").json()
    assert ("contact" in published) == full
    nested = client(w, role).get(
        f"{API}consultations/{w.open_consultation.pk}/comments/", {"page_size": 500}
    )
    assert {c["status"] for c in nested.json()["results"]} == {"published"}
    assert "contact" not in nested.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_moderation(w, role):
    for state, table in (("pending", MODERATE_PENDING), ("published", MODERATE_PUBLISHED)):
        comment = w.comments[state]
        response = client(w, role).post(
            f"{API}comments/{comment.pk}/moderate/",
            {"publish": False, "rejection_reason": "off_topic"},
            format="json",
        )
        assert response.status_code == table[role], (state, response.content)
        assert (fresh(comment).status == "rejected") == (table[role] == 200)


# ---------------------------------------------------------------------------------------------
# 3. Legality reviews: internal.

SEES_REVIEWS = {
    "anonymous": False,
    "editor": True,
    "publisher": True,
    "department_admin": True,
    "other_editor": False,
    "other_publisher": False,
    "oversight": True,
    "legality_reviewer": True,
    "superuser": True,
}


@pytest.mark.parametrize("role", ROLES)
def test_legality_reviews_are_internal(w, role):
    sees = SEES_REVIEWS[role]
    review = w.reviewed.legality_reviews.first()
    listed = client(w, role).get(f"{API}legality-reviews/", {"decision": w.reviewed.pk})
    assert listed.status_code == 200
    assert len(listed.json()["results"]) == (ROWS if sees else 0)
    detail = client(w, role).get(f"{API}legality-reviews/{review.pk}/")
    assert detail.status_code == (200 if sees else 404)
    # the decision itself is public (withheld draft, not fully withheld)
    assert client(w, role).get(f"{API}decisions/{w.reviewed.pk}/").status_code == 200


# ---------------------------------------------------------------------------------------------
# 4. Query counts: the number of queries of a list does not grow with the page.

LISTS = [
    "catalogues",
    "decisions",
    "decision-documents",
    "consultations",
    "comments",
    "adoption-reports",
    "hearings",
    "expert-opinions",
    "legality-reviews",
    "implementation-updates",
    "audit-findings",
    "accountability-results",
    "evaluations",
]
NESTED = ["consultation-comments", "decision-documents-of", "catalogue-versions"]


def list_url(w, name, *, small=False):
    if name == "consultation-comments":
        return f"{API}consultations/{w.open_consultation.pk}/comments/"
    if name == "decision-documents-of":
        return f"{API}decisions/{(w.small_decision if small else w.pool[0]).pk}/documents/"
    if name == "catalogue-versions":
        catalogue = w.small_catalogue if small else w.catalogue
        return f"{API}catalogues/{catalogue.pk}/versions/"
    return f"{API}{name}/"


def count_queries(api, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url, params)
    assert response.status_code == 200, response.content
    data = response.json()
    return len(queries), data["results"] if isinstance(data, dict) else data


@pytest.mark.parametrize("role", ["anonymous", "editor"])
@pytest.mark.parametrize("name", LISTS + NESTED)
def test_list_queries_do_not_grow_with_the_page(w, name, role):
    api = client(w, role)
    url = list_url(w, name)
    api.get(url, {"page_size": 1})  # warm up (content types, permissions caches)
    one, first = count_queries(api, url, {"page_size": 1})
    ten, tenth = count_queries(api, url, {"page_size": 10})
    print(f"\nQUERIES {name} {role}: page_size=1 -> {one}, page_size=10 -> {ten}")
    assert one == ten, (name, role, one, ten)
    if name in NESTED[1:]:  # not paginated: compare a parent with one child and one with ROWS
        few, rows = count_queries(api, list_url(w, name, small=True))
        assert (len(rows), len(tenth)) == (1, ROWS)
        assert few == ten, (name, role, few, ten)
    elif name == "legality-reviews" and role == "anonymous":
        assert first == tenth == []
    else:
        assert (len(first), len(tenth)) == (1, 10)
