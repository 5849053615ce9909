"""The data dictionary covers every field of every resource, with labels in both languages,
units and computed-field rules, and the OpenAPI descriptions carry the same."""

import pytest

from registry import record_types

pytestmark = pytest.mark.django_db


def _by_resource(client):
    response = client.get("/api/v1/dictionary/")
    assert response.status_code == 200
    return {entry["resource"]: entry for entry in response.json()}


def test_every_resource_and_field_is_described(client):
    dictionary = _by_resource(client)
    assert set(dictionary) == {"departments"} | {t.prefix for t in record_types.registered()}
    for entry in dictionary.values():
        assert entry["fields"], entry["resource"]
        for field in entry["fields"]:
            assert field["label_zh"] and field["label_en"] and field["type"], field


def test_units_and_rules(client):
    actions = {f["name"]: f for f in _by_resource(client)["enforcement-actions"]["fields"]}
    assert actions["fine_amount"]["unit"] == "yuan"
    assert actions["fine_amount"]["type"] == "decimal string"
    assert actions["fine_amount"]["label_zh"] == "罚款金额（元）"
    assert actions["fine_amount"]["label_en"] != actions["fine_amount"]["label_zh"]
    assert "工作日" in actions["publication_due"]["computed_rule_zh"]
    assert actions["publication_due"]["computed_rule_en"]
    assert actions["party_id_number"]["label_en"]
    reports = {f["name"]: f for f in _by_resource(client)["debt-reports"]["fields"]}
    assert reports["debt_ratio"]["unit"] == "percent" and reports["debt_ratio"]["read_only"]
    assert "综合财力" in reports["debt_ratio"]["computed_rule_zh"]


def test_openapi_descriptions_carry_rules(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    action = schema["components"]["schemas"]["EnforcementAction"]["properties"]
    assert "computed:" in action["publication_due"]["description"]
    assert "unit: yuan" in action["fine_amount"]["description"]
