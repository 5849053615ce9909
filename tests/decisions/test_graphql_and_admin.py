"""GraphQL over the decisions registry (filters shared with REST, withheld basis masked) and
the admin pages departments use."""

import pytest

from decisions.models import Decision
from tests.decisions import builders


def gql(client, query):
    response = client.post("/graphql/", {"query": query}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def test_filters_and_nested_relations(client_for, departments, users, catalogue, decision):
    builders.to_consultation(decision, users["editor"], users["publisher"])
    builders.decision(
        departments["fgw"],
        users["editor"],
        catalogue,
        publisher=users["publisher"],
        name="规划类决策",
        category="plan",
    )
    query = """{ decisions(year: 2026, stage: ["consultation"]) { edges { node {
        name stage legalBasis consultations { edges { node { name opensOn } } }
        documents { edges { node { kind } } } } } } }"""
    edges = gql(client_for("anonymous"), query)["decisions"]["edges"]
    assert [e["node"]["name"] for e in edges] == [decision.name]
    node = edges[0]["node"]
    assert node["legalBasis"] == "《中华人民共和国价格法》"  # pre-published: consultation open
    assert len(node["consultations"]["edges"]) == 1
    assert node["documents"]["edges"] == [{"node": {"kind": "DRAFT"}}]
    plans = gql(
        client_for("anonymous"), '{ decisions(category: "plan") { edges { node { name } } } }'
    )
    assert [e["node"]["name"] for e in plans["decisions"]["edges"]] == ["规划类决策"]


def test_withheld_basis_is_masked_for_the_public_only(client_for, departments, users, catalogue):
    builders.decision(
        departments["fgw"],
        users["editor"],
        catalogue,
        publisher=users["publisher"],
        confidentiality="draft_withheld",
        confidentiality_ground="依法保密",
    )
    query = "{ decisions { edges { node { legalBasis confidentialityGround } } } }"
    public = gql(client_for("anonymous"), query)["decisions"]["edges"][0]["node"]
    assert public == {"legalBasis": None, "confidentialityGround": "依法保密"}
    staff = gql(client_for("editor"), query)["decisions"]["edges"][0]["node"]
    assert staff["legalBasis"] == "《中华人民共和国价格法》"


def test_unknown_filter_value_is_an_error(client_for, catalogue):
    response = client_for("anonymous").post(
        "/graphql/",
        {"query": '{ decisions(category: "nope") { edges { node { name } } } }'},
        format="json",
    )
    assert "errors" in response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/decisions/decision/",
        "/admin/decisions/consultation/",
        "/admin/decisions/comment/",
        "/admin/decisions/catalogue/",
        "/admin/decisions/legalityreview/",
    ],
)
def test_admin_pages_render_scoped(client, users, decision, path):
    client.force_login(users["other_editor"])
    response = client.get(path)
    assert response.status_code == 200
    client.force_login(users["editor"])
    assert client.get(path).status_code == 200


def test_admin_decision_change_page_for_own_department(client, users, decision):
    client.force_login(users["editor"])
    page = client.get(f"/admin/decisions/decision/{decision.pk}/change/")
    assert page.status_code == 200
    assert decision.name in page.content.decode()
    draft = builders.decision(decision.department, users["editor"], decision.catalogue)
    client.force_login(users["other_editor"])
    assert client.get(f"/admin/decisions/decision/{draft.pk}/change/").status_code in (302, 404)
    assert Decision.objects.filter(pk=draft.pk).exists()
