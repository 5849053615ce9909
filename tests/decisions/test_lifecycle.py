"""The procedure of a major decision through the API: every illegal transition is a 400 that
names the missing step; the legality gate cannot be bypassed."""

import datetime

import pytest
from django.utils import timezone

from decisions.models import Decision, Evaluation
from tests.decisions import builders

d = datetime.date


def stage(client, decision, target, **body):
    return client.post(
        f"/api/v1/decisions/{decision.pk}/stage/", {"stage": target, **body}, format="json"
    )


def test_happy_path_to_evaluated(client_for, decision, users, monkeypatch):
    publisher = client_for("publisher")
    period = builders.to_consultation(decision, users["editor"], users["publisher"])
    # the period closes; the report is published; legality review; deliberation; decision
    later = timezone.now() + datetime.timedelta(days=40)
    monkeypatch.setattr(timezone, "now", lambda: later)
    today = timezone.localdate()
    builders.close_with_report(period, users["editor"], users["publisher"], today=today)
    assert stage(publisher, decision, "legality_review").status_code == 200
    builders.lawful_review(
        decision, users["legality_reviewer"], today, today + datetime.timedelta(days=14)
    )
    assert stage(publisher, decision, "deliberation").status_code == 200
    response = stage(
        publisher,
        decision,
        "decided",
        decided_on=str(today),
        document_number="璧府发〔2026〕1号",
        final_text="决定如下……",
    )
    assert response.status_code == 200, response.content
    assert response.json()["document_number"] == "璧府发〔2026〕1号"
    assert stage(publisher, decision, "implementing").status_code == 200
    response = stage(publisher, decision, "evaluated")
    assert response.status_code == 400
    assert "评估" in response.json()["detail"]
    builders.part(
        Evaluation,
        decision,
        users["editor"],
        publisher=users["publisher"],
        trigger="scheduled",
        evaluator="第三方评估机构",
        report="效果良好",
        completed_on=today,
    )
    assert stage(publisher, decision, "evaluated").json()["stage"] == "evaluated"
    history = client_for("anonymous").get(f"/api/v1/decisions/{decision.pk}/history/").json()
    assert [e["action"] for e in history].count("stage_changed") == 7


@pytest.mark.parametrize(
    "target, message",
    [
        ("consultation", "起草"),  # must be drafting first
        ("deliberation", "合法性审查"),
        ("decided", "集体讨论"),
        ("evaluated", "执行中"),
        ("suspended", "已决定"),
    ],
)
def test_illegal_transitions_name_what_is_required(client_for, decision, target, message):
    response = stage(client_for("publisher"), decision, target)
    assert response.status_code == 400
    assert message in response.json()["detail"]
    decision.refresh_from_db()
    assert decision.stage == "planned"


def test_consultation_needs_draft_and_open_period(client_for, decision, users):
    publisher = client_for("publisher")
    assert stage(publisher, decision, "drafting").status_code == 200
    response = stage(publisher, decision, "consultation")
    assert response.status_code == 400 and "决策草案" in response.json()["detail"]
    builders.upload_draft(decision, users["editor"])
    response = stage(publisher, decision, "consultation")
    assert response.status_code == 400 and "征求意见" in response.json()["detail"]


def test_public_decision_cannot_skip_consultation(client_for, decision):
    publisher = client_for("publisher")
    stage(publisher, decision, "drafting")
    response = stage(publisher, decision, "legality_review")
    assert response.status_code == 400 and "第十四条" in response.json()["detail"]


def test_withheld_decision_goes_from_drafting_to_review(client_for, departments, users, catalogue):
    secret = builders.decision(
        departments["fgw"],
        users["editor"],
        catalogue,
        publisher=users["publisher"],
        confidentiality="draft_withheld",
        confidentiality_ground="《保守国家秘密法》第九条",
    )
    publisher = client_for("publisher")
    stage(publisher, secret, "drafting")
    assert stage(publisher, secret, "legality_review").status_code == 200


def test_review_must_be_closed_and_reported(client_for, decision, users, monkeypatch):
    publisher = client_for("publisher")
    period = builders.to_consultation(decision, users["editor"], users["publisher"])
    response = stage(publisher, decision, "legality_review")
    assert response.status_code == 400 and "届满" in response.json()["detail"]
    later = timezone.now() + datetime.timedelta(days=40)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = stage(publisher, decision, "legality_review")
    assert response.status_code == 400 and "采纳情况" in response.json()["detail"]
    builders.close_with_report(
        period, users["editor"], users["publisher"], today=timezone.localdate()
    )
    assert stage(publisher, decision, "legality_review").status_code == 200


@pytest.fixture
def in_review(client_for, departments, users, catalogue):
    """A draft_withheld decision sent straight to legality review."""
    record = builders.decision(
        departments["fgw"],
        users["editor"],
        catalogue,
        publisher=users["publisher"],
        confidentiality="draft_withheld",
        confidentiality_ground="《保守国家秘密法》第九条",
    )
    stage(client_for("publisher"), record, "drafting")
    stage(client_for("publisher"), record, "legality_review")
    return Decision.objects.get(pk=record.pk)


def test_deliberation_is_unreachable_without_lawful_review(client_for, in_review, users):
    publisher, reviewer = client_for("publisher"), client_for("legality_reviewer")
    response = stage(publisher, in_review, "deliberation")
    assert response.status_code == 400 and "合法性审查尚未完成" in response.json()["detail"]
    review = reviewer.post(
        "/api/v1/legality-reviews/",
        {"decision": in_review.pk, "started_on": "2026-09-30"},
        format="json",
    )
    assert review.status_code == 201, review.content
    assert review.json()["minimum_completed_on"] == "2026-10-15"  # 7 working days, National Day
    url = f"/api/v1/legality-reviews/{review.json()['id']}/complete/"
    early = reviewer.post(url, {"completed_on": "2026-10-14", "result": "lawful"}, format="json")
    assert early.status_code == 400 and "completed_on" in early.json()["errors"]
    assert "2026-10-15" in early.json()["detail"]
    unlawful = reviewer.post(
        url, {"completed_on": "2026-10-15", "result": "unlawful"}, format="json"
    )
    assert unlawful.status_code == 200
    response = stage(publisher, in_review, "deliberation")
    assert response.status_code == 400 and "不合法" in response.json()["detail"]


def test_lawful_with_risk_opens_deliberation_and_needs_disclosure(client_for, in_review):
    reviewer = client_for("legality_reviewer")
    review = reviewer.post(
        "/api/v1/legality-reviews/",
        {"decision": in_review.pk, "started_on": "2026-11-02"},
        format="json",
    ).json()
    url = f"/api/v1/legality-reviews/{review['id']}/complete/"
    body = {"completed_on": "2026-11-11", "result": "lawful_with_risk"}
    missing = reviewer.post(url, body, format="json")
    assert missing.status_code == 400 and "risk_disclosure" in missing.json()["errors"]
    body["risk_disclosure"] = "存在信访风险"
    assert reviewer.post(url, body, format="json").json()["working_days"] == 7
    assert stage(client_for("publisher"), in_review, "deliberation").status_code == 200


@pytest.mark.parametrize(
    "role, expected",
    [
        ("editor", 403),
        ("publisher", 403),
        ("oversight", 403),
        ("anonymous", 401),
    ],
)
def test_only_legality_reviewers_record_reviews(client_for, in_review, role, expected):
    response = client_for(role).post(
        "/api/v1/legality-reviews/",
        {"decision": in_review.pk, "started_on": "2026-11-02"},
        format="json",
    )
    assert response.status_code == expected


def test_decided_requires_text_and_explanation_when_public_interest_high(
    client_for, in_review, users
):
    Decision.objects.filter(pk=in_review.pk).update(public_interest_high=True)
    builders.lawful_review(in_review, users["legality_reviewer"], d(2026, 11, 2), d(2026, 11, 11))
    publisher = client_for("publisher")
    stage(publisher, in_review, "deliberation")
    response = stage(publisher, in_review, "decided", decided_on="2026-11-20")
    assert response.status_code == 400
    assert {"document_number", "final_text", "adoption_explanation"} <= set(
        response.json()["errors"]
    )


def test_suspend_and_withdraw_need_public_reason(client_for, decision):
    publisher = client_for("publisher")
    response = stage(publisher, decision, "withdrawn")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    response = stage(publisher, decision, "withdrawn", reason="上级政策调整，不再实施")
    assert response.status_code == 200
    public = client_for("anonymous").get(f"/api/v1/decisions/{decision.pk}/").json()
    assert public["stage"] == "withdrawn" and public["stage_reason"] == "上级政策调整，不再实施"


@pytest.mark.parametrize(
    "role, expected",
    [
        ("editor", 403),
        ("other_publisher", 403),
        ("oversight", 403),
        ("anonymous", 401),
    ],
)
def test_only_sponsor_publisher_advances(client_for, decision, role, expected):
    assert stage(client_for(role), decision, "drafting").status_code == expected


def test_tombstones_do_not_reveal_withheld_decisions(
    client_for, departments, users, catalogue, decision
):
    secret = builders.decision(
        departments["fgw"],
        users["editor"],
        catalogue,
        publisher=users["publisher"],
        name="保密事项",
        confidentiality="fully_withheld",
        confidentiality_ground="依法保密",
    )
    body = {"reason": "撤回", "legal_basis": "《政府信息公开条例》"}
    for record in (decision, secret):
        assert (
            client_for("publisher")
            .post(f"/api/v1/decisions/{record.pk}/withdraw/", body, format="json")
            .status_code
            == 200
        )
    anonymous = client_for("anonymous")
    assert anonymous.get(f"/api/v1/decisions/{decision.pk}/").status_code == 410
    hidden = anonymous.get(f"/api/v1/decisions/{secret.pk}/")
    assert hidden.status_code == 404 and "保密事项" not in hidden.content.decode()


def test_legality_reviewers_read_what_they_review(client_for, in_review, users, decision):
    builders.upload_draft(in_review, users["editor"])
    reviewer = client_for("legality_reviewer")
    detail = reviewer.get(f"/api/v1/decisions/{in_review.pk}/").json()
    assert detail["legal_basis"] and [d["kind"] for d in detail["documents"]] == ["draft"]
    download = reviewer.get(detail["documents"][0]["download_url"])
    assert download.status_code == 200
    # a public decision still at "planned" is seen as the public sees it
    assert reviewer.get(f"/api/v1/decisions/{decision.pk}/").json()["legal_basis"] is None
