"""The committed ``api_docs/openapi.yaml`` and ``api_docs/schema.graphql`` must be what the
code generates (run ``make schema`` after changing the API)."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _generate(*args):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "registry.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_openapi_is_valid_and_committed(tmp_path):
    out = tmp_path / "openapi.yaml"
    result = _generate("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "Warning" not in result.stderr
    assert out.read_text() == (ROOT / "api_docs/openapi.yaml").read_text(), (
        "api_docs/openapi.yaml is stale: run `make schema`"
    )


# Writes anyone may send: token sign-in and a comment on an open consultation.
OPEN_WRITES = {("post", "/api/v1/auth/token/"), ("post", "/api/v1/consultations/{id}/comments/")}
# Reads for signed-in readers only: compliance records and deadlines (oversight and the
# departments themselves; the counts are public).
SIGNED_IN_READS = {("get", "/api/v1/compliance/{code}/"), ("get", "/api/v1/compliance/deadlines/")}


def test_every_operation_documents_its_errors_and_who_may_call_it():
    """The status codes an operation can answer besides its success (api_docs/schema.py),
    and anonymous access where the API allows it."""
    schema = yaml.safe_load((ROOT / "api_docs/openapi.yaml").read_text())
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            statuses = set(operation["responses"])
            assert {"400", "401", "429"} <= statuses, (method, path)
            assert ("403" in statuses) == (method != "get"), (method, path)
            if "{" in path:
                assert "404" in statuses, (method, path)
            key = (method, path)
            anyone = (method == "get" and key not in SIGNED_IN_READS) or key in OPEN_WRITES
            assert ({} in operation["security"]) == anyone, (method, path)
    gone = schema["paths"]["/api/v1/decisions/{id}/"]["get"]["responses"]["410"]
    assert gone == {"$ref": "#/components/responses/Gone"}


def test_response_schemas_admit_what_the_api_sends():
    """Found by contract fuzzing: a top-level department's null parent, a decision's legal
    basis withheld (null) from the public, a read-only choice left blank (a comment not
    rejected, a case not withdrawn) and the data dictionary's list."""
    schema = yaml.safe_load((ROOT / "api_docs/openapi.yaml").read_text())
    components = schema["components"]["schemas"]
    assert components["Department"]["properties"]["parent"]["nullable"] is True
    assert components["Decision"]["properties"]["legal_basis"]["nullable"] is True
    assert "nullable" not in components["DecisionRequest"]["properties"]["legal_basis"]
    for component, field in [
        ("Comment", "rejection_reason"),
        ("EnforcementAction", "withdrawal_trigger"),
    ]:
        choices = components[component]["properties"][field]["oneOf"]
        assert {"$ref": "#/components/schemas/BlankEnum"} in choices, component
    dictionary = schema["paths"]["/api/v1/dictionary/"]["get"]["responses"]["200"]
    assert dictionary["content"]["application/json"]["schema"]["type"] == "array"


# Actions that create a row and answer 201 (found by contract fuzzing: documented as 200).
CREATING_ACTIONS = [
    "/api/v1/catalogues/{id}/adjust/",
    "/api/v1/decisions/{id}/documents/",
    "/api/v1/consultations/{id}/comments/",
    "/api/v1/adoption-reports/{id}/items/",
    "/api/v1/investment-projects/{id}/targets/",
    "/api/v1/investment-projects/{id}/funding/",
    "/api/v1/bonds/{id}/projects/",
]


def test_actions_document_their_success_as_sent():
    paths = yaml.safe_load((ROOT / "api_docs/openapi.yaml").read_text())["paths"]
    for path in CREATING_ACTIONS:
        statuses = set(paths[path]["post"]["responses"])
        assert "201" in statuses and "200" not in statuses, path
    download = paths["/api/v1/decision-documents/{id}/download/"]["get"]["responses"]["200"]
    assert list(download["content"]) == ["*/*"]  # the file's own type


def test_graphql_schema_is_committed(tmp_path):
    out = tmp_path / "schema.graphql"
    _generate("graphql_schema", "--schema", "registry.graphql.schema.schema", "--out", str(out))
    assert out.read_text() == (ROOT / "api_docs/schema.graphql").read_text(), (
        "api_docs/schema.graphql is stale: run `make schema`"
    )


def test_the_served_schema_is_generated_once_per_language(db, client, monkeypatch):
    """``/api/schema/`` serves what the generator gives, generating it once per process and
    language; a language the registry does not speak is generated each time, not kept."""
    from drf_spectacular.generators import SchemaGenerator

    from registry.api.views import SchemaView

    monkeypatch.setattr(SchemaView, "_generated", {})
    calls = []
    generate = SchemaGenerator.get_schema

    def counted(self, *args, **kwargs):
        calls.append(1)
        return generate(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    first = client.get("/api/schema/?format=json")
    again = client.get("/api/schema/?format=json")
    assert first.status_code == again.status_code == 200
    assert first.content == again.content and len(calls) == 1
    assert again["Content-Disposition"].startswith("inline; filename=")
    assert client.get("/api/schema/?format=json&lang=en").status_code == 200
    assert len(calls) == 2
    for _ in range(2):
        assert client.get("/api/schema/?format=json&lang=xx").status_code == 200
    assert len(calls) == 4 and len(SchemaView._generated) == 2
