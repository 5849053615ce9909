"""GraphQL over the enforcement registry (filters shared with REST, decimal strings) and the
admin pages."""

import pytest

from tests.enforcement import builders


def test_graphql_filters_and_amounts(client_for, power, users):
    builders.penalty(power, users["editor"], publisher=users["publisher"])
    builders.penalty(
        power,
        users["editor"],
        publisher=users["publisher"],
        kind="inspection",
        penalty_types=[],
        severity="",
        fine_amount=None,
        confiscation_amount=None,
        document_number="检1",
    )
    query = """{ enforcementActions(kind: ["penalty"]) { edges { node {
        documentNumber fineAmount confiscationAmount publicationDue displayUntil
        body { name } power { code } } } } }"""
    response = client_for("anonymous").post("/graphql/", {"query": query}, format="json")
    body = response.json()
    assert "errors" not in body, body
    nodes = [e["node"] for e in body["data"]["enforcementActions"]["edges"]]
    assert len(nodes) == 1
    assert nodes[0]["fineAmount"] == "50000.00" and nodes[0]["confiscationAmount"] == "1234.56"
    assert nodes[0]["publicationDue"] == "2026-10-15"
    assert nodes[0]["power"]["code"] == "330201"


@pytest.mark.parametrize(
    "path",
    [
        "/admin/enforcement/enforcementaction/",
        "/admin/enforcement/enforcementbody/",
        "/admin/enforcement/inspectionplan/",
        "/admin/enforcement/displayrule/",
    ],
)
def test_admin_pages(client, users, power, path):
    builders.penalty(power, users["editor"])
    client.force_login(users["editor"])
    # Rule tables are for superusers; record pages for every department member.
    assert client.get(path).status_code == (
        403 if path == "/admin/enforcement/displayrule/" else 200
    )
    client.force_login(users["superuser"])
    assert client.get(path).status_code == 200


def test_admin_action_list_is_scoped(client, users, power):
    draft = builders.penalty(power, users["editor"], document_number="内部草稿")
    client.force_login(users["editor"])
    assert "内部草稿" in client.get("/admin/enforcement/enforcementaction/").content.decode()
    client.force_login(users["other_editor"])
    page = client.get("/admin/enforcement/enforcementaction/").content.decode()
    assert "内部草稿" not in page
    assert client.get(f"/admin/enforcement/enforcementaction/{draft.pk}/change/").status_code in (
        302,
        404,
    )
