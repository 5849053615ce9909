"""The public view of enforcement decisions (redaction, minors), the 双公示 export, and the
reproducible random draw of inspections."""

import csv
import datetime
import io
import math
from decimal import Decimal

import pytest

from enforcement import redaction
from enforcement.models import EnforcementAction, InspectionResult
from enforcement.services import inspections
from registry.services import workflow
from tests.enforcement import builders

URL = "/api/v1/enforcement-actions/"
SECRETS = (
    "500227199001011234",
    "幸福路8号",
    "13812345678",
    "6222020202020202020",
    "患有某种疾病",
    "李四",
    "张三",
)


@pytest.fixture
def person_case(power, users):
    return builders.natural_person_penalty(power, users["editor"], publisher=users["publisher"])


def test_public_view_masks_and_omits(client_for, person_case):
    body = client_for("anonymous").get(f"{URL}{person_case.pk}/")
    text = body.content.decode()
    for secret in SECRETS:
        assert secret not in text
    data = body.json()
    assert data["party_name"] == "张＊"
    assert "party_id_number" not in data and "party_address" not in data
    assert "张＊" in data["facts"] and "某某" in data["facts"]
    full = client_for("editor").get(f"{URL}{person_case.pk}/").json()
    assert full["party_id_number"] == "500227199001011234" and full["party_name"] == "张三"
    assert (
        client_for("oversight").get(f"{URL}{person_case.pk}/").json()["party_phone"]
        == "13812345678"
    )


def test_public_search_does_not_find_people_by_name(client_for, person_case):
    assert client_for("anonymous").get(f"{URL}?q=张三").json()["results"] == []


def test_graphql_public_view_is_redacted(client_for, person_case):
    query = """{ enforcementActions { edges { node { partyName facts result name } } } }"""
    response = client_for("anonymous").post("/graphql/", {"query": query}, format="json")
    text = response.content.decode()
    assert "张＊" in text
    for secret in SECRETS:
        assert secret not in text
    staff = client_for("editor").post("/graphql/", {"query": query}, format="json")
    assert "张三" in staff.content.decode()


@pytest.mark.parametrize(
    "name, masked",
    [
        ("张三", "张＊"),
        ("王小明", "王＊＊"),
        ("欧阳娜娜", "欧阳＊＊"),
        ("李", "李＊"),
    ],
)
def test_mask_name(name, masked):
    assert redaction.mask_name(name) == masked


def test_scrub_safety_net_patterns(person_case):
    text = "另查明身份证110101198001010011、手机13900001111、卡号6217000010001000100。"
    scrubbed = redaction.scrub(text, person_case)
    assert "110101198001010011" not in scrubbed and "13900001111" not in scrubbed
    assert "6217000010001000100" not in scrubbed
    assert "2026年9月30日罚款5万元" == redaction.scrub("2026年9月30日罚款5万元", person_case)


def test_minor_case_is_never_published(client_for, power, users):
    minor = builders.natural_person_penalty(
        power, users["editor"], party_is_minor=True, document_number="minor-1"
    )
    response = client_for("publisher").post(f"{URL}{minor.pk}/publish/")
    assert response.status_code == 400 and "未成年人" in response.json()["detail"]
    EnforcementAction.objects.filter(pk=minor.pk).update(status="published")  # forced in SQL
    assert client_for("anonymous").get(f"{URL}{minor.pk}/").status_code == 404
    assert minor.pk not in [a["id"] for a in client_for("anonymous").get(URL).json()["results"]]
    export = client_for("anonymous").get(f"{URL}export/?kind=penalty")
    assert "minor-1" not in b"".join(export.streaming_content).decode()


def _export(client, kind):
    response = client.get(f"{URL}export/?kind={kind}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("# 双公示数据标准")
    return list(csv.reader(io.StringIO("\n".join(lines[1:]))))


def test_shuang_gongshi_export(client_for, power, users, person_case):
    current = builders.penalty(
        power, users["editor"], publisher=users["publisher"], document_number="current"
    )
    builders.penalty(
        power,
        users["editor"],
        publisher=users["publisher"],
        document_number="expired",
        decision_date=datetime.date(2024, 1, 10),
        date_made=datetime.date(2024, 1, 10),
    )
    withdrawn = builders.penalty(
        power, users["editor"], publisher=users["publisher"], document_number="withdrawn"
    )
    workflow.withdraw(withdrawn, acting_user=users["publisher"], reason="撤销", legal_basis="x")
    builders.penalty(power, users["editor"], document_number="draft-only")
    rows = _export(client_for("anonymous"), "penalty")
    header, data = rows[0], rows[1:]
    assert header[:4] == [
        "行政相对人名称",
        "行政相对人类别",
        "行政相对人代码_1（统一社会信用代码）",
        "法定代表人",
    ]
    assert "罚款金额（万元）" in header and "公示截止期" in header
    by_number = {
        row[header.index("行政处罚决定书文号")]: dict(zip(header, row, strict=True)) for row in data
    }
    assert set(by_number) == {"current", person_case.document_number}
    row = by_number["current"]
    assert row["罚款金额（万元）"] == "5.000000"
    assert row["没收违法所得、没收非法财物的金额（万元）"] == "0.123456"
    assert row["行政相对人代码_1（统一社会信用代码）"] == builders.COMPANY_CODE
    assert row["公示截止期"] == str(current.display_until)
    person = by_number[person_case.document_number]
    assert person["行政相对人名称"] == "张＊" and person["证件号码"] == ""
    text = "\n".join(",".join(r) for r in rows)
    for secret in SECRETS:
        assert secret not in text


def test_licence_export_and_bad_kind(client_for, departments, users):
    body = builders.body(departments["fgw"], users["editor"], publisher=users["publisher"])
    licence_power = builders.power(
        body, users["editor"], publisher=users["publisher"], power_type="licence", code="L1"
    )
    builders.penalty(
        licence_power,
        users["editor"],
        publisher=users["publisher"],
        kind="licence",
        penalty_types=[],
        severity="",
        fine_amount=None,
        confiscation_amount=None,
        licence_name="食品经营许可证",
        licence_number="JY15002270001",
        document_number="许可1号",
        valid_from=datetime.date(2026, 10, 1),
        valid_until=datetime.date(2031, 9, 30),
    )
    rows = _export(client_for("anonymous"), "licence")
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["许可编号"] == "JY15002270001" and record["有效期至"] == "2031-09-30"
    bad = client_for("anonymous").get(f"{URL}export/?kind=fine")
    assert bad.status_code == 400 and "kind" in bad.json()["errors"]


def test_wan_yuan_is_exact():
    from enforcement.export import wan_yuan

    assert wan_yuan(Decimal("12345678901234.56")) == "1234567890.123456"
    assert wan_yuan(Decimal("0.01")) == "0.000001"
    assert wan_yuan(None) == ""


def test_draw_is_reproducible_from_the_recorded_seed(client_for, body, users):
    plan = builders.plan(body, users["editor"], entities=20, ratio="0.1000")
    response = client_for("editor").post(f"/api/v1/inspection-plans/{plan.pk}/draw/")
    assert response.status_code == 200, response.content
    drawn = response.json()
    assert len(drawn["selection"]) == math.ceil(20 * 0.1) == 2
    assert all(len(e["inspectors"]) == 2 for e in drawn["selection"])
    assert drawn["draw_algorithm"] == "sha256-rank-v1" and len(drawn["draw_seed"]) == 32
    again = inspections.compute_draw(
        drawn["draw_seed"], plan.entity_pool, plan.inspector_pool, Decimal("0.1"), 2
    )
    assert again == drawn["selection"]
    assert client_for("editor").post(f"/api/v1/inspection-plans/{plan.pk}/draw/").status_code == 400
    client_for("publisher").post(f"/api/v1/inspection-plans/{plan.pk}/publish/")
    verify = client_for("anonymous").get(f"/api/v1/inspection-plans/{plan.pk}/verify/").json()
    assert verify["reproduced"] is True


def test_draw_detects_tampering(body, users):
    plan = builders.plan(body, users["editor"])
    plan = inspections.draw(plan, acting_user=users["editor"])
    plan.selection = [{"name": "别的对象", "inspectors": []}]
    assert not inspections.verify(plan)


def test_results_due_in_20_working_days_and_only_for_drawn(client_for, body, users):
    plan = builders.plan(body, users["editor"], publisher=users["publisher"])
    plan = inspections.draw(plan, acting_user=users["editor"])
    entity = plan.selection[0]["name"]
    base = {
        "body": body.pk,
        "plan": plan.pk,
        "name": "抽查结果",
        "date_made": "2026-10-01",
        "inspected_from": "2026-09-28",
        "inspected_until": "2026-09-30",
        "outcome": "no_problem",
    }
    refused = client_for("editor").post(
        "/api/v1/inspection-results/", {**base, "entity_name": "未抽中的对象"}, format="json"
    )
    assert refused.status_code == 400 and "entity_name" in refused.json()["errors"]
    created = client_for("editor").post(
        "/api/v1/inspection-results/", {**base, "entity_name": entity}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["publication_due"] == "2026-11-03"
    assert InspectionResult.objects.count() == 1


def test_tombstone_of_a_natural_person_case_stays_masked(client_for, users, person_case):
    workflow.withdraw(
        person_case,
        acting_user=users["publisher"],
        reason="张三的处罚决定已撤销",
        legal_basis="《行政处罚法》第四十八条",
    )
    gone = client_for("anonymous").get(f"{URL}{person_case.pk}/")
    assert gone.status_code == 410
    assert gone.json()["tombstone"]["name"] == "张＊无证经营案"
    assert "张三" not in gone.content.decode()


@pytest.mark.parametrize(
    "field, value",
    [
        ("matters", ["食品\x00经营许可"]),
        ("entity_pool", [{"name": "经营者\x00", "credit_code": ""}]),
        ("entity_pool", [{"name\x00": "经营者", "credit_code": ""}]),
    ],
)
def test_json_with_a_null_character_is_400(client_for, body, field, value):
    """PostgreSQL's jsonb refuses ``\\u0000`` (found by contract fuzzing: a 500). The error
    names the field, down to the item (``entity_pool[0].name``)."""
    plan = {
        "body": body.pk,
        "name": "抽查计划",
        "date_made": "2026-03-01",
        "year": 2026,
        "matters": ["食品经营许可"],
        "sampling_ratio": "0.5000",
        "inspectors_per_entity": 2,
        "entity_pool": [{"name": f"经营者{i}", "credit_code": ""} for i in range(4)],
        "inspector_pool": [{"name": f"执法员{i}", "certificate_number": f"{i}"} for i in range(4)],
    }
    client = client_for("editor")
    assert client.post("/api/v1/inspection-plans/", plan, format="json").status_code == 201
    response = client.post("/api/v1/inspection-plans/", {**plan, field: value}, format="json")
    assert response.status_code == 400, response.content
    assert [name.split("[")[0] for name in response.json()["errors"]] == [field]
