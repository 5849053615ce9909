"""Investment-project disclosure thresholds, debt figures with derived ratios, bonds and
their during-life disclosures."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from fiscal.models import BondDisclosure
from registry.services import workflow
from tests.fiscal import builders

PROJECTS = "/api/v1/investment-projects/"
REPORTS = "/api/v1/debt-reports/"
BONDS = "/api/v1/bonds/"


@pytest.mark.parametrize(
    "category, amount, required",
    [
        ("school", "299999.99", False),
        ("school", "300000.00", True),
        ("hospital", "299999.99", False),
        ("hospital", "300000.00", True),
        ("other", "499999.99", False),
        ("other", "500000.00", True),
        ("other", "450000.00", False),
        ("school", "350000.00", True),
    ],
)
def test_disclosure_threshold_boundaries(client_for, departments, category, amount, required):
    response = client_for("editor").post(
        PROJECTS,
        {
            "department": "fgw",
            "name": "项目",
            "date_made": "2026-03-01",
            "project_code": f"P-{category}-{amount}",
            "category": category,
            "year": 2026,
            "total_investment": amount,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["disclosure_required"] is required
    assert body["total_investment"] == amount
    assert body["disclosure_rule"].startswith(f"thresholds@v1:{category}>=")


def test_required_project_is_published_with_text_targets_and_funding(
    client_for, departments, users
):
    bare = builders.project(departments["fgw"], users["editor"], complete=False)
    response = client_for("publisher").post(f"{PROJECTS}{bare.pk}/publish/")
    assert response.status_code == 400
    for level in ("产出指标", "效益指标", "满意度指标"):
        assert level in response.json()["detail"]
    editor = client_for("editor")
    for kind, indicator, value, unit in builders.TARGETS:
        target = editor.post(
            f"{PROJECTS}{bare.pk}/targets/",
            {
                "kind": kind,
                "indicator": indicator,
                "target_value": value,
                "unit": unit,
            },
            format="json",
        )
        assert target.status_code == 201, target.content
    assert target.json()["level"] == "satisfaction"
    editor.post(
        f"{PROJECTS}{bare.pk}/funding/",
        {"source": "general_budget", "amount": "300000.00"},
        format="json",
    )
    mismatch = client_for("publisher").post(f"{PROJECTS}{bare.pk}/publish/")
    assert mismatch.status_code == 400 and "350000.00" in mismatch.json()["detail"]
    editor.post(
        f"{PROJECTS}{bare.pk}/funding/",
        {"source": "higher_transfer", "amount": "50000.00"},
        format="json",
    )
    assert client_for("publisher").post(f"{PROJECTS}{bare.pk}/publish/").status_code == 200
    public = client_for("anonymous").get(f"{PROJECTS}{bare.pk}/").json()
    assert len(public["targets"]) == 3 and len(public["funding"]) == 2
    late = editor.post(
        f"{PROJECTS}{bare.pk}/targets/",
        {"kind": "cost", "indicator": "成本", "target_value": "≤350000", "unit": "元"},
        format="json",
    )
    assert late.status_code == 400


def test_undisclosed_counts_by_department(client_for, departments, users):
    builders.project(departments["fgw"], users["editor"], code="A", publisher=users["publisher"])
    builders.project(departments["fgw"], users["editor"], code="B")
    builders.project(departments["fgw"], users["editor"], code="C", amount="100000.00")
    body = client_for("anonymous").get(f"{PROJECTS}undisclosed/").json()
    assert body == [
        {"department": "fgw", "department_name": "区发展改革委", "required": 2, "undisclosed": 1}
    ]


def test_ratios_are_derived_with_versioned_formula(client_for, departments, users):
    report = builders.debt_report(departments["fgw"], users["editor"], publisher=users["publisher"])
    body = client_for("anonymous").get(f"{REPORTS}{report.pk}/").json()
    assert body["debt_ratio"] == "120.0000"  # 180 亿 / 150 亿
    assert body["debt_service_ratio"] == "10.0000"  # (9 + 6) 亿 / 150 亿
    assert body["formula_version"] == 1
    assert "综合财力" in body["formula"]["debt_ratio"]
    assert body["general_over_limit"] is False and body["total_over_limit"] is False


def test_ratios_cannot_be_typed_in(client_for, departments, users):
    report = builders.debt_report(departments["fgw"], users["editor"])
    response = client_for("editor").patch(
        f"{REPORTS}{report.pk}/", {"debt_ratio": "1.0000"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["debt_ratio"] == "120.0000"


@pytest.mark.parametrize(
    "field, value",
    [
        ("total_limit", "20000000000.01"),
        ("total_balance", "17999999999.99"),
        ("comprehensive_capacity", "15000000001.00"),
    ],
)
def test_inconsistent_totals_are_refused(client_for, departments, users, field, value):
    report = builders.debt_report(departments["fgw"], users["editor"])
    response = client_for("editor").patch(f"{REPORTS}{report.pk}/", {field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"] and field in response.json()["detail"]


def test_balance_above_limit_is_flagged_publicly(client_for, departments, users):
    report = builders.debt_report(
        departments["fgw"],
        users["editor"],
        publisher=users["publisher"],
        special_balance=Decimal("12500000000.00"),
        total_balance=Decimal("19500000000.00"),
    )
    body = client_for("anonymous").get(f"{REPORTS}{report.pk}/").json()
    assert body["special_over_limit"] is True and body["general_over_limit"] is False
    flagged = client_for("anonymous").get(f"{REPORTS}?over_limit=true").json()["results"]
    assert [r["id"] for r in flagged] == [report.pk]


def test_trend_series(client_for, departments, users):
    for year, capacity in ((2023, "15000000000.00"), (2024, "18000000000.00")):
        builders.debt_report(
            departments["fgw"],
            users["editor"],
            publisher=users["publisher"],
            year=year,
            comprehensive_capacity=Decimal(capacity),
            transfer_revenue=Decimal(capacity) - Decimal("11200000000.00"),
        )
    builders.debt_report(departments["fgw"], users["editor"], year=2025)  # draft: not public
    body = client_for("anonymous").get(f"{REPORTS}trend/?indicator=debt_ratio").json()
    assert body == [
        {"year": 2023, "reporting_point": "final_accounts", "value": "120.0000"},
        {"year": 2024, "reporting_point": "final_accounts", "value": "100.0000"},
    ]
    bad = client_for("anonymous").get(f"{REPORTS}trend/?indicator=nope")
    assert bad.status_code == 400 and "indicator" in bad.json()["errors"]


def test_bond_maturity_and_projects(client_for, departments, users):
    response = client_for("editor").post(
        BONDS,
        {
            "department": "fgw",
            "name": "债券",
            "date_made": "2024-05-20",
            "code": "X1",
            "bond_type": "special",
            "purpose": "new",
            "amount": "100000000.00",
            "term_years": 10,
            "coupon_rate": "2.5800",
            "issue_date": "2024-05-20",
            "maturity_date": "2034-05-21",
            "interest_schedule": "按年付息",
            "use_of_proceeds": "项目建设",
        },
        format="json",
    )
    assert response.status_code == 400 and "2034-05-20" in response.json()["detail"]
    bond = builders.bond(departments["fgw"], users["editor"])
    project = builders.project(departments["fgw"], users["editor"])
    linked = client_for("editor").post(
        f"{BONDS}{bond.pk}/projects/", {"project": project.pk, "amount": "350000.00"}, format="json"
    )
    assert linked.status_code == 201, linked.content
    detail = client_for("editor").get(f"{BONDS}{bond.pk}/").json()
    assert detail["allocations"][0]["project_name"] == project.name


def test_annual_disclosure_due_30_june_and_overdue(client_for, departments, users, monkeypatch):
    bond = builders.bond(
        departments["fgw"],
        users["editor"],
        publisher=users["publisher"],
        issue=datetime.date(2024, 5, 20),
    )
    moment = datetime.datetime(2026, 11, 28, 10, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    body = client_for("anonymous").get(f"{BONDS}{bond.pk}/").json()
    assert body["overdue_disclosure_years"] == [2025, 2026]
    assert body["next_disclosure_due"] == "2027-06-30"
    assert [
        b["id"]
        for b in client_for("anonymous").get(f"{BONDS}?disclosure_overdue=true").json()["results"]
    ] == [bond.pk]
    for year in (2025, 2026):
        disclosure = workflow.create(
            BondDisclosure,
            acting_user=users["editor"],
            department=departments["fgw"],
            bond=bond,
            name=f"{year}年存续期信息",
            date_made=datetime.date(year, 6, 20),
            kind="annual",
            period_year=year,
        )
        workflow.publish(disclosure, acting_user=users["publisher"])
    body = client_for("anonymous").get(f"{BONDS}{bond.pk}/").json()
    assert body["overdue_disclosure_years"] == []
    assert client_for("anonymous").get(f"{BONDS}?disclosure_overdue=true").json()["results"] == []


def test_not_overdue_on_30_june_itself(departments, users):
    bond = builders.bond(departments["fgw"], users["editor"], issue=datetime.date(2024, 5, 20))
    assert bond.annual_disclosure_years(datetime.date(2026, 6, 30)) == [2025]
    assert bond.annual_disclosure_years(datetime.date(2026, 7, 1)) == [2025, 2026]


def test_openapi_names_units(client, db):  # db: /api/ requests are rate-counted
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    fields = schema["components"]["schemas"]["DebtReport"]["properties"]
    assert "unit: yuan" in fields["total_balance"]["description"]
    assert fields["total_balance"]["type"] == "string"
    assert "unit: percent" in fields["debt_ratio"]["description"]


def test_allocation_to_a_draft_project_stays_internal(client_for, departments, users):
    bond = builders.bond(departments["fgw"], users["editor"])
    hidden = builders.project(departments["fgw"], users["editor"], name="未公开的项目")
    client_for("editor").post(
        f"{BONDS}{bond.pk}/projects/", {"project": hidden.pk, "amount": "350000.00"}, format="json"
    )
    workflow.publish(bond, acting_user=users["publisher"])
    public = client_for("anonymous").get(f"{BONDS}{bond.pk}/")
    assert public.json()["allocations"] == []
    assert "未公开的项目" not in public.content.decode()
    assert client_for("editor").get(f"{BONDS}{bond.pk}/").json()["allocations"]
