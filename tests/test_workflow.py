"""The publication workflow through the API: amend keeps history, withdraw leaves a public
tombstone, illegal transitions and missing reasons are 400s naming what is missing."""

import pytest
from django.core.exceptions import PermissionDenied

from registry.models import AuditEntry
from registry.services import workflow
from tests.factories import notice

URL = "/api/v1/test-notices/"


@pytest.fixture
def published(departments, users):
    return notice(
        departments["fgw"], users["editor"], publish_by=users["publisher"], summary="原文"
    )


def test_amend_keeps_history_and_shows_correction(client_for, published):
    response = client_for("publisher").post(
        f"{URL}{published.pk}/amend/", {"summary": "更正后", "reason": "笔误"}, format="json"
    )
    assert response.status_code == 200, response.content
    public = client_for("anonymous").get(f"{URL}{published.pk}/").json()
    assert public["summary"] == "更正后"
    assert public["revision"] == 2 and public["amended_at"]
    history = client_for("anonymous").get(f"{URL}{published.pk}/history/").json()
    assert [e["action"] for e in history] == ["published", "amended"]
    assert history[1]["reason"] == "笔误"
    amended = AuditEntry.objects.get(action="amended", object_id=published.pk)
    assert amended.before["summary"] == "原文" and amended.after["summary"] == "更正后"


def test_amend_needs_reason(client_for, published):
    response = client_for("publisher").post(
        f"{URL}{published.pk}/amend/", {"summary": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    assert "reason" in response.json()["detail"]


def test_withdraw_leaves_public_tombstone(client_for, published):
    body = {"reason": "原决定已被撤销", "legal_basis": "《行政处罚法》第八十五条"}
    assert (
        client_for("publisher")
        .post(f"{URL}{published.pk}/withdraw/", body, format="json")
        .status_code
        == 200
    )
    response = client_for("anonymous").get(f"{URL}{published.pk}/")
    assert response.status_code == 410
    tombstone = response.json()["tombstone"]
    assert tombstone["withdrawal_reason"] == "原决定已被撤销"
    assert tombstone["withdrawal_legal_basis"] == "《行政处罚法》第八十五条"
    assert published.pk not in [r["id"] for r in client_for("anonymous").get(URL).json()["results"]]
    # the department still sees the full record
    assert client_for("editor").get(f"{URL}{published.pk}/").json()["status"] == "withdrawn"


def test_withdraw_needs_reason_and_basis(client_for, published):
    response = client_for("publisher").post(f"{URL}{published.pk}/withdraw/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"reason", "legal_basis"}


def test_double_publish_and_withdraw_are_idempotent(users, published):
    before = AuditEntry.objects.count()
    workflow.publish(published, acting_user=users["publisher"])
    workflow.withdraw(published, acting_user=users["publisher"], reason="r", legal_basis="b")
    workflow.withdraw(published, acting_user=users["publisher"], reason="r", legal_basis="b")
    assert AuditEntry.objects.count() == before + 1


def test_withdrawn_cannot_be_republished(client_for, users, published):
    workflow.withdraw(published, acting_user=users["publisher"], reason="r", legal_basis="b")
    response = client_for("publisher").post(f"{URL}{published.pk}/publish/")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_draft_cannot_be_withdrawn(client_for, departments, users):
    draft = notice(departments["fgw"], users["editor"])
    response = client_for("publisher").post(
        f"{URL}{draft.pk}/withdraw/", {"reason": "r", "legal_basis": "b"}, format="json"
    )
    assert response.status_code == 400


def test_submit_then_publish(client_for, departments, users):
    draft = notice(departments["fgw"], users["editor"])
    assert (
        client_for("editor").post(f"{URL}{draft.pk}/submit/").json()["status"] == "pending_review"
    )
    assert client_for("publisher").post(f"{URL}{draft.pk}/publish/").json()["status"] == "published"


def test_moving_a_draft_out_of_scope_is_refused(client_for, departments, users):
    draft = notice(departments["fgw"], users["editor"])
    response = client_for("editor").patch(
        f"{URL}{draft.pk}/", {"department": "scjgj"}, format="json"
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.department.code == "fgw"


def test_scope_is_checked_after_write(departments, users, monkeypatch):
    """Even if the pre-checks were bypassed, the post-write check rolls the change back."""
    draft = notice(departments["fgw"], users["editor"])
    monkeypatch.setattr(workflow, "_require_department", lambda *a: None)
    with pytest.raises(PermissionDenied):
        workflow.update(draft, acting_user=users["editor"], department=departments["scjgj"])
    draft.refresh_from_db()
    assert draft.department.code == "fgw"


def test_validation_error_names_field(client_for, departments):
    response = client_for("editor").post(
        URL, {"department": "fgw", "name": "x", "date_made": "2026-13-45"}, format="json"
    )
    assert response.status_code == 400
    assert "date_made" in response.json()["errors"]
    assert "date_made" in response.json()["detail"]


def test_index_numbers_count_per_department_and_year(departments, users):
    a = notice(departments["fgw"], users["editor"])
    b = notice(departments["fgw"], users["editor"])
    c = notice(departments["scjgj"], users["other_editor"])
    assert (a.index_number, b.index_number, c.index_number) == (
        "fgw/2026-00001",
        "fgw/2026-00002",
        "scjgj/2026-00001",
    )
