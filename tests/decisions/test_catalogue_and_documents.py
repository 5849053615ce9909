"""The annual catalogue's immutable versions; decision documents (limits, hashes, versions,
pre-publication); hearings, expert opinions and evaluations."""

import datetime
import hashlib

import pytest
from django.utils import timezone

from decisions.models import Catalogue, CatalogueVersion, Evaluation, ExpertOpinion, Hearing
from decisions.services import documents
from tests.decisions import builders


def test_catalogue_needs_approval_to_publish(client_for, office, users):
    draft = builders.catalogue(
        office, users["office_publisher"], users["office_editor"], year=2027, publish=False
    )
    Catalogue.objects.filter(pk=draft.pk).update(approval_date=None)
    response = client_for("office_publisher").post(f"/api/v1/catalogues/{draft.pk}/publish/")
    assert response.status_code == 400 and "批准" in response.json()["detail"]


def test_versions_are_public_history_with_changes(client_for, catalogue, departments, users):
    fgw = departments["fgw"]
    first = builders.decision(
        fgw, users["editor"], catalogue, publisher=users["publisher"], name="决策甲"
    )
    builders.decision(
        fgw,
        users["editor"],
        catalogue,
        publisher=users["publisher"],
        name="保密决策",
        confidentiality="fully_withheld",
        confidentiality_ground="《保守国家秘密法》",
    )
    url = f"/api/v1/catalogues/{catalogue.pk}/"
    adjust = client_for("office_publisher").post(
        f"{url}adjust/", {"note": "增补决策甲", "approval_date": "2026-06-01"}, format="json"
    )
    assert adjust.status_code == 201, adjust.content
    assert adjust.json()["number"] == 2
    assert [e["name"] for e in adjust.json()["changes"]["added"]] == ["决策甲"]
    client_for("publisher").post(
        f"/api/v1/decisions/{first.pk}/stage/",
        {"stage": "withdrawn", "reason": "不再实施"},
        format="json",
    )
    third = (
        client_for("office_publisher")
        .post(f"{url}adjust/", {"note": "调出决策甲", "approval_date": "2026-09-01"}, format="json")
        .json()
    )
    assert [e["name"] for e in third["changes"]["removed"]] == ["决策甲"]
    versions = client_for("anonymous").get(f"{url}versions/").json()
    assert [v["number"] for v in versions] == [1, 2, 3]
    assert "保密决策" not in str(versions)
    assert client_for("anonymous").get(url).json()["current_version"] == 3


def test_adjustment_needs_note_and_approval(client_for, catalogue):
    response = client_for("office_publisher").post(
        f"/api/v1/catalogues/{catalogue.pk}/adjust/", {}, format="json"
    )
    assert response.status_code == 400
    assert {"note", "approval_date"} <= set(response.json()["errors"])
    other = client_for("publisher").post(
        f"/api/v1/catalogues/{catalogue.pk}/adjust/",
        {"note": "x", "approval_date": "2026-06-01"},
        format="json",
    )
    assert other.status_code == 403


def test_published_version_is_never_edited(catalogue):
    version = CatalogueVersion.objects.get(catalogue=catalogue)
    version.note = "篡改"
    with pytest.raises(ValueError):
        version.save()


def test_catalogue_year_cannot_be_amended(client_for, catalogue):
    response = client_for("office_publisher").post(
        f"/api/v1/catalogues/{catalogue.pk}/amend/",
        {"year": 2030, "reason": "改"},
        format="json",
    )
    assert response.status_code == 400 and "year" in response.json()["errors"]


def _upload(client, decision, name, content, kind="draft"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"/api/v1/decisions/{decision.pk}/documents/",
        {"kind": kind, "title": "草案", "file": SimpleUploadedFile(name, content)},
        format="multipart",
    )


def test_upload_records_size_type_hash_and_versions(client_for, decision):
    content = b"%PDF-1.7\n" + "决策草案".encode() * 100
    first = _upload(client_for("editor"), decision, "草案.pdf", content)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["size"] == len(content) and body["content_type"] == "application/pdf"
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["version"] == 1 and body["original_name"] == "草案.pdf"
    assert _upload(client_for("editor"), decision, "v2.pdf", content).json()["version"] == 2
    download = client_for("editor").get(body["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("x.exe", b"MZ\x90\x00", "不支持的文件类型"),
        ("x.pdf", b"<html>not a pdf", "不符"),
        ("x.txt", b"\xff\xfe\x00bad", "UTF-8"),
        ("x.pdf", b"", "file"),
    ],
)
def test_upload_refuses_bad_files(client_for, decision, name, content, message):
    response = _upload(client_for("editor"), decision, name, content)
    assert response.status_code == 400
    assert "file" in response.json()["errors"]
    assert message in response.json()["detail"]


def test_upload_size_limit(client_for, decision, monkeypatch):
    monkeypatch.setattr(documents, "MAX_DOCUMENT_BYTES", 100)
    response = _upload(client_for("editor"), decision, "big.pdf", b"%PDF-" + b"0" * 200)
    assert response.status_code == 400 and "过大" in response.json()["detail"]


def test_drafts_are_public_only_from_consultation_opening(client_for, decision, users):
    document = builders.upload_draft(decision, users["editor"])
    anonymous = client_for("anonymous")
    assert anonymous.get(f"/api/v1/decisions/{decision.pk}/").json()["documents"] == []
    assert anonymous.get(f"/api/v1/decisions/{decision.pk}/").json()["legal_basis"] is None
    assert anonymous.get(f"/api/v1/decision-documents/{document.pk}/download/").status_code == 404
    builders.consultation(decision, users["editor"], publisher=users["publisher"])
    detail = anonymous.get(f"/api/v1/decisions/{decision.pk}/").json()
    assert [d["id"] for d in detail["documents"]] == [document.pk]
    assert detail["legal_basis"] == "《中华人民共和国价格法》"
    assert anonymous.get(f"/api/v1/decision-documents/{document.pk}/download/").status_code == 200


def test_draft_withheld_lists_decision_but_withholds_drafts(
    client_for, departments, users, catalogue
):
    secret = builders.decision(
        departments["fgw"],
        users["editor"],
        catalogue,
        publisher=users["publisher"],
        confidentiality="draft_withheld",
        confidentiality_ground="《政府信息公开条例》第十四条",
    )
    builders.upload_draft(secret, users["editor"])
    public = client_for("anonymous").get(f"/api/v1/decisions/{secret.pk}/").json()
    assert public["confidentiality_ground"] == "《政府信息公开条例》第十四条"
    assert public["legal_basis"] is None and public["documents"] == []
    assert public["withheld_content"] == ["legal_basis", "pre_publication_documents"]
    staff = client_for("editor").get(f"/api/v1/decisions/{secret.pk}/").json()
    assert staff["legal_basis"] and len(staff["documents"]) == 1


def test_hearing_rules(departments, users, decision, client_for):
    held_at = timezone.now() + datetime.timedelta(days=10)
    fields = builders.hearing_fields(held_at)
    fields["materials_sent_on"] = timezone.localdate(held_at) - datetime.timedelta(days=6)
    response = client_for("editor").post(
        "/api/v1/hearings/",
        {
            "decision": decision.pk,
            "name": "听证会公告",
            "date_made": "2026-11-28",
            **{k: (str(v) if k != "participants" else v) for k, v in fields.items()},
        },
        format="json",
    )
    assert response.status_code == 400 and "materials_sent_on" in response.json()["errors"]
    hearing = builders.part(Hearing, decision, users["editor"], **builders.hearing_fields())
    assert (
        client_for("publisher").post(f"/api/v1/hearings/{hearing.pk}/publish/").status_code == 200
    )
    past = builders.part(Hearing, decision, users["editor"], **builders.hearing_fields(held_at))
    Hearing.objects.filter(pk=past.pk).update(held_at=timezone.now() - datetime.timedelta(hours=1))
    late = client_for("publisher").post(f"/api/v1/hearings/{past.pk}/publish/")
    assert late.status_code == 400 and "举行前" in late.json()["detail"]


def test_expert_must_attest_independence(client_for, decision):
    body = {
        "decision": decision.pk,
        "name": "专家论证意见",
        "date_made": "2026-11-28",
        "expert_name": "王五",
        "opinion": "可行",
    }
    response = client_for("editor").post("/api/v1/expert-opinions/", body, format="json")
    assert response.status_code == 400 and "attestation" in response.json()["errors"]
    body.update(independence_attested=True, attestation="本人与该决策事项无利害关系")
    assert (
        client_for("editor").post("/api/v1/expert-opinions/", body, format="json").status_code
        == 201
    )
    assert ExpertOpinion.objects.count() == 1


def test_evaluator_is_not_the_pre_decision_assessor(client_for, departments, users, catalogue):
    record = builders.decision(
        departments["fgw"], users["editor"], catalogue, risk_assessor="某某咨询公司"
    )
    body = {
        "decision": record.pk,
        "name": "决策后评估",
        "date_made": "2026-11-28",
        "trigger": "scheduled",
        "evaluator": " 某某咨询公司 ",
        "report": "r",
        "completed_on": "2026-11-28",
    }
    response = client_for("editor").post("/api/v1/evaluations/", body, format="json")
    assert response.status_code == 400 and "evaluator" in response.json()["errors"]
    body["evaluator"] = "区社会科学院"
    assert client_for("editor").post("/api/v1/evaluations/", body, format="json").status_code == 201
    assert Evaluation.objects.get().evaluator == "区社会科学院"


def test_part_department_follows_its_decision(client_for, decision):
    response = client_for("editor").post(
        "/api/v1/implementation-updates/",
        {
            "decision": decision.pk,
            "name": "进展",
            "date_made": "2026-11-28",
            "department": "scjgj",
            "progress_percent": 40,
        },
        format="json",
    )
    assert response.status_code == 201 and response.json()["department"] == "fgw"
    too_much = client_for("editor").post(
        "/api/v1/implementation-updates/",
        {
            "decision": decision.pk,
            "name": "进展",
            "date_made": "2026-11-28",
            "progress_percent": 140,
        },
        format="json",
    )
    assert too_much.status_code == 400 and "progress_percent" in too_much.json()["errors"]


def test_document_list_filters(client_for, decision, users):
    builders.upload_draft(decision, users["editor"])
    builders.upload_draft(decision, users["editor"], kind="other")
    editor = client_for("editor")
    kinds = [
        d["kind"] for d in editor.get("/api/v1/decision-documents/?kind=other").json()["results"]
    ]
    assert kinds == ["other"]
    assert editor.get("/api/v1/decision-documents/?status=published").status_code == 400
