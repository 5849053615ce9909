"""Enforcement decisions: publication deadlines on the working-day calendar, withdrawal with
a public tombstone, display periods from versioned rules, credit repair, validation."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from enforcement.models import DisplayRule, EnforcementAction
from tests.enforcement import builders

URL = "/api/v1/enforcement-actions/"
d = datetime.date


def test_penalty_due_in_7_working_days_across_national_day(power, users):
    action = builders.penalty(power, users["editor"])
    assert action.publication_due == d(2026, 10, 15)
    assert action.publication_rule == "enforcement_publication_7wd@v1"
    assert not action.publication_due_provisional
    assert action.calendar_version == "2026:v1"


def test_other_decisions_due_in_20_working_days(power, users):
    action = builders.penalty(
        power,
        users["editor"],
        kind="inspection",
        penalty_types=[],
        severity="",
        fine_amount=None,
        confiscation_amount=None,
        document_number="璧市监检〔2026〕1号",
    )
    assert action.publication_due == d(2026, 11, 3)  # 20 working days after 09-30
    assert action.publication_rule.startswith("enforcement_publication_20wd")
    assert action.display_until is None


def test_deadline_into_a_year_without_calendar_is_provisional(client_for, power, users):
    action = builders.penalty(power, users["editor"], decision_date=d(2026, 12, 30))
    assert action.publication_due_provisional
    body = client_for("editor").get(f"{URL}{action.pk}/").json()
    assert body["publication_due_provisional"] is True
    assert body["calendar_version"] == "2026:v1,2027:weekdays"
    listed = client_for("editor").get(f"{URL}?provisional=true").json()["results"]
    assert [a["id"] for a in listed] == [action.pk]


def test_overdue_when_unpublished_past_the_deadline(client_for, power, users, monkeypatch):
    action = builders.penalty(power, users["editor"])
    later = datetime.datetime(2026, 10, 16, 9, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: later)
    body = client_for("editor").get(f"{URL}?overdue=true").json()["results"]
    assert [a["id"] for a in body] == [action.pk] and body[0]["is_overdue"] is True
    client_for("publisher").post(f"{URL}{action.pk}/publish/")
    assert client_for("editor").get(f"{URL}?overdue=true").json()["results"] == []


def test_withdrawal_due_in_3_working_days_leaves_tombstone(client_for, power, users):
    action = builders.penalty(power, users["editor"], publisher=users["publisher"])
    response = client_for("publisher").post(
        f"{URL}{action.pk}/withdraw/",
        {
            "trigger": "revoked",
            "trigger_date": "2026-09-30",
            "reason": "复议决定撤销原处罚决定",
            "legal_basis": "《行政处罚法》第四十八条",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert (
        response.json()["withdrawal_due"] == "2026-10-10"
    )  # 3 working days: 10-08, 10-09, Sat 10-10
    gone = client_for("anonymous").get(f"{URL}{action.pk}/")
    assert gone.status_code == 410
    assert gone.json()["tombstone"]["withdrawal_reason"] == "复议决定撤销原处罚决定"
    again = client_for("publisher").post(
        f"{URL}{action.pk}/withdraw/",
        {"trigger": "changed", "trigger_date": "2026-10-20", "reason": "再次", "legal_basis": "x"},
        format="json",
    )
    assert again.status_code == 200  # withdrawing twice changes nothing
    assert again.json()["withdrawal_reason"] == "复议决定撤销原处罚决定"
    assert again.json()["withdrawal_due"] == "2026-10-10"


def test_withdrawal_needs_trigger(client_for, power, users):
    action = builders.penalty(power, users["editor"], publisher=users["publisher"])
    response = client_for("publisher").post(
        f"{URL}{action.pk}/withdraw/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 400
    assert {"trigger", "trigger_date", "legal_basis"} <= set(response.json()["errors"])


def test_display_period_from_rules(power, users):
    general = builders.penalty(power, users["editor"])
    assert general.display_until == d(2027, 9, 30)  # general: up to one year
    assert general.repair_possible_from == d(2026, 12, 30)  # after three months
    assert general.display_rule.startswith("display_rules@v1")
    minor = builders.penalty(
        power,
        users["editor"],
        document_number="2",
        severity="minor",
        penalty_types=["warning"],
        fine_amount=None,
    )
    assert minor.display_until == d(2026, 12, 30)


def test_newer_rule_version_and_longest_type_apply(power, users):
    for penalty_type, months in (("fine", 12), ("licence_revocation", 24)):
        DisplayRule.objects.create(
            version=2,
            effective_from=d(2026, 6, 1),
            penalty_type=penalty_type,
            severity="general",
            minimum_months=6,
            maximum_months=months,
            legal_basis="测试",
        )
    action = builders.penalty(
        power,
        users["editor"],
        penalty_types=["fine", "licence_revocation"],
        licence_number="JY15002270001",
    )
    assert action.display_until == d(2028, 9, 30)
    assert action.display_rule == "display_rules@v2:licence_revocation/general"
    older = builders.penalty(
        power,
        users["editor"],
        document_number="2",
        decision_date=d(2026, 3, 2),
        penalty_types=["fine"],
    )
    assert older.display_rule.startswith("display_rules@v1")  # decided before v2 took effect


def test_display_end_removes_from_public_lists_not_registry(client_for, power, users):
    expired = builders.penalty(
        power,
        users["editor"],
        publisher=users["publisher"],
        decision_date=d(2024, 1, 10),
        date_made=d(2024, 1, 10),
        document_number="old",
    )
    current = builders.penalty(power, users["editor"], publisher=users["publisher"])
    public_ids = [a["id"] for a in client_for("anonymous").get(URL).json()["results"]]
    assert public_ids == [current.pk]
    assert client_for("anonymous").get(f"{URL}{expired.pk}/").status_code == 404
    assert client_for("editor").get(f"{URL}{expired.pk}/").status_code == 200
    assert client_for("oversight").get(f"{URL}{expired.pk}/").status_code == 200


def test_credit_repair_ends_display_early(client_for, power, users, monkeypatch):
    action = builders.penalty(
        power,
        users["editor"],
        publisher=users["publisher"],
        decision_date=d(2026, 3, 2),
        date_made=d(2026, 3, 2),
    )
    url = f"{URL}{action.pk}/repair/"
    body = {
        "decided_on": "2026-05-01",
        "decided_by": "重庆市信用中心",
        "document_number": "修复1号",
    }
    early = client_for("publisher").post(url, body, format="json")
    assert early.status_code == 400 and "2026-06-02" in early.json()["detail"]
    assert (
        client_for("editor")
        .post(url, {**body, "decided_on": "2026-07-01"}, format="json")
        .status_code
        == 403
    )
    body["decided_on"] = "2026-07-01"
    response = client_for("publisher").post(url, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["display_until"] == "2026-07-01"
    assert client_for("anonymous").get(f"{URL}{action.pk}/").status_code == 404
    again = client_for("publisher").post(url, body, format="json")
    assert again.status_code == 400


def test_amounts_are_exact_decimal_strings(client_for, power, users):
    action = builders.penalty(
        power,
        users["editor"],
        publisher=users["publisher"],
        fine_amount=Decimal("12345678901234.56"),
    )
    body = client_for("anonymous").get(f"{URL}{action.pk}/").json()
    assert body["fine_amount"] == "12345678901234.56"
    assert body["confiscation_amount"] == "1234.56"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"party_credit_code": ""}, "party_credit_code"),
        ({"party_credit_code": "914403001922038217"}, "party_credit_code"),
        ({"penalty_types": []}, "penalty_types"),
        ({"severity": ""}, "severity"),
        ({"fine_amount": "-1.00"}, "fine_amount"),
        ({"fine_amount": "1.001"}, "fine_amount"),
        ({"kind": "licence", "licence_number": ""}, "licence_number"),
        ({"penalty_types": ["nope"]}, "penalty_types"),
    ],
)
def test_validation_names_the_field(client_for, power, change, field):
    body = {
        "body": power.body_id,
        "power": power.pk,
        "name": "案件",
        "kind": "penalty",
        "document_number": "X1",
        "party_name": "重庆某公司",
        "party_kind": "legal_person",
        "party_credit_code": builders.COMPANY_CODE,
        "facts": "f",
        "legal_basis": "b",
        "result": "r",
        "penalty_types": ["fine"],
        "severity": "general",
        "fine_amount": "100.00",
        "decision_date": "2026-11-02",
        **change,
    }
    response = client_for("editor").post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_power_must_belong_to_the_body(client_for, departments, users, power):
    other_body = builders.body(departments["fgw"], users["editor"], name="另一执法主体")
    other_power = builders.power(other_body, users["editor"], code="X")
    response = client_for("editor").post(
        URL,
        {
            "body": power.body_id,
            "power": other_power.pk,
            "name": "案件",
            "kind": "other",
            "document_number": "X2",
            "party_name": "某公司",
            "party_kind": "individual_business",
            "facts": "f",
            "legal_basis": "b",
            "result": "r",
            "decision_date": "2026-11-02",
        },
        format="json",
    )
    assert response.status_code == 400 and "power" in response.json()["errors"]
    assert EnforcementAction.objects.count() == 0
