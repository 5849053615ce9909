"""GraphQL over the fiscal registry (filters shared with REST, money as strings) and the
admin pages."""

import pytest

from tests.fiscal import builders


def test_graphql_projects_and_reports(client_for, departments, users):
    builders.project(departments["fgw"], users["editor"], publisher=users["publisher"])
    builders.project(
        departments["fgw"],
        users["editor"],
        code="small",
        amount="100000.00",
        category="other",
        publisher=users["publisher"],
    )
    builders.debt_report(departments["fgw"], users["editor"], publisher=users["publisher"])
    query = """{ investmentProjects(disclosureRequired: true) { edges { node {
        projectCode totalInvestment targets { edges { node { level kind } } } } } }
        debtReports { edges { node { debtRatio debtServiceRatio formulaVersion } } } }"""
    body = client_for("anonymous").post("/graphql/", {"query": query}, format="json").json()
    assert "errors" not in body, body
    projects = body["data"]["investmentProjects"]["edges"]
    assert [p["node"]["projectCode"] for p in projects] == ["P2026-001"]
    assert projects[0]["node"]["totalInvestment"] == "350000.00"
    assert len(projects[0]["node"]["targets"]["edges"]) == 3
    report = body["data"]["debtReports"]["edges"][0]["node"]
    assert report == {"debtRatio": "120.0000", "debtServiceRatio": "10.0000", "formulaVersion": 1}


@pytest.mark.parametrize(
    "path",
    [
        "/admin/fiscal/investmentproject/",
        "/admin/fiscal/debtreport/",
        "/admin/fiscal/bond/",
        "/admin/fiscal/disclosurethreshold/",
    ],
)
def test_admin_pages(client, users, departments, path):
    builders.project(departments["fgw"], users["editor"])
    client.force_login(users["superuser"])
    assert client.get(path).status_code == 200
    client.force_login(users["editor"])
    # Rule tables are for superusers; record pages for every department member.
    assert client.get(path).status_code == (
        403 if path == "/admin/fiscal/disclosurethreshold/" else 200
    )
