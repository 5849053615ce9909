"""Text is stored and returned exactly — Chinese, characters beyond the Basic Multilingual
Plane, emoji, combining marks, line breaks and tabs — on every surface; control characters,
which mean nothing in a record, are refused with a 400 naming the field (API) or a form
error (admin, services, CSV import)."""

import csv
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from graphql_relay import to_global_id

from registry.validators import CONTROL_CHARACTERS
from tests.enforcement import builders as enforcement_builders
from tests.enforcement.test_import import HEADER, row
from tests.factories import notice
from tests.fiscal import builders as fiscal_builders

pytestmark = pytest.mark.django_db

URL = "/api/v1/test-notices/"
# CJK Extension B (4 bytes in UTF-8), emoji with a zero-width joiner, a combining accent, a
# full-width form, a tab and line breaks.
EXACT_NAME = "关于𠀀𪚥事项的通知👩‍💻 café ＡＢＣ"
EXACT_SUMMARY = "第一行\n\t第二行（缩进）\r\n第三行：¥100，含emoji🎉。"


def test_text_comes_back_exactly_everywhere(client_for, departments, users):
    created = client_for("editor").post(
        URL,
        {
            "department": "fgw",
            "name": EXACT_NAME,
            "summary": EXACT_SUMMARY,
            "date_made": "2026-11-02",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    published = client_for("publisher").post(f"{URL}{pk}/publish/")
    assert published.status_code == 200, published.content
    anonymous = client_for("anonymous")

    detail = anonymous.get(f"{URL}{pk}/").json()
    assert (detail["name"], detail["summary"]) == (EXACT_NAME, EXACT_SUMMARY)
    listed = anonymous.get(URL, {"department": "fgw"}).json()["results"]
    assert [(r["name"], r["summary"]) for r in listed] == [(EXACT_NAME, EXACT_SUMMARY)]

    # (the test-only notices have no GraphQL type: a project of the fiscal registry)
    project = fiscal_builders.project(
        departments["fgw"],
        users["editor"],
        publisher=users["publisher"],
        name=EXACT_NAME,
        summary=EXACT_SUMMARY,
    )
    node = to_global_id("InvestmentProject", project.pk)
    query = f'{{ node(id: "{node}") {{ ... on InvestmentProject {{ name summary }} }} }}'
    graph = anonymous.post("/graphql/", {"query": query}, format="json").json()
    assert graph["data"]["node"] == {"name": EXACT_NAME, "summary": EXACT_SUMMARY}

    export = anonymous.get(f"{URL}bulk-export/", {"format": "ndjson"})
    rows = [json.loads(line) for line in b"".join(export.streaming_content).splitlines()]
    assert [(r["name"], r["summary"]) for r in rows] == [(EXACT_NAME, EXACT_SUMMARY)]
    export = anonymous.get(f"{URL}bulk-export/", {"format": "csv"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    (exported,) = csv.DictReader(io.StringIO(text, newline=""))
    assert (exported["name"], exported["summary"]) == (EXACT_NAME, EXACT_SUMMARY)


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x0b", "\x7f", "\x85", "\x9f"])
def test_control_characters_are_refused_naming_the_field(client_for, departments, character):
    body = {"department": "fgw", "name": f"通知{character}", "date_made": "2026-11-02"}
    response = client_for("editor").post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["name"]
    assert f"U+{ord(character):04X}" in response.json()["errors"]["name"][0]


def test_tabs_and_line_breaks_are_text():
    assert not CONTROL_CHARACTERS.search(EXACT_SUMMARY)
    assert all(CONTROL_CHARACTERS.match(chr(c)) for c in [*range(9), 11, 12, *range(14, 32)])
    assert all(CONTROL_CHARACTERS.match(chr(c)) for c in range(0x7F, 0xA0))


def test_every_body_and_form_is_checked(client_for, departments, users):
    """Bodies that no model field takes (a withdrawal's reason), values nested in JSON and
    multipart form fields are checked before any view reads them."""
    record = notice(departments["fgw"], users["editor"], publish_by=users["publisher"])
    response = client_for("publisher").post(
        f"{URL}{record.pk}/withdraw/",
        {"reason": "撤回\x1b[31m", "legal_basis": "《条例》"},
        format="json",
    )
    assert response.status_code == 400 and list(response.json()["errors"]) == ["reason"]
    nested = client_for("editor").post(
        "/api/v1/inspection-plans/",
        {"entity_pool": [{"name": "经营者A"}, {"name": "经营者\x07B"}]},
        format="json",
    )
    assert nested.status_code == 400
    assert list(nested.json()["errors"]) == ["entity_pool[1].name"]
    form = client_for("editor").post(
        URL, {"department": "fgw", "name": "通知\x08", "date_made": "2026-11-02"}
    )
    assert form.status_code == 400 and list(form.json()["errors"]) == ["name"]
    upload = client_for("editor").post(
        URL,
        {"department": "fgw", "name": "通知\x01", "date_made": "2026-11-02"},
        format="multipart",
    )
    assert upload.status_code == 400 and list(upload.json()["errors"]) == ["name"]


def test_the_services_refuse_them_for_the_admin_and_the_import(client_for, departments, users):
    with pytest.raises(ValidationError) as refused:
        notice(departments["fgw"], users["editor"], summary="摘要\x0c")
    assert list(refused.value.message_dict) == ["summary"]

    body = enforcement_builders.body(departments["fgw"], users["editor"])
    power = enforcement_builders.power(body, users["editor"])
    lines = io.StringIO()
    writer = csv.DictWriter(lines, HEADER)
    writer.writeheader()
    writer.writerow(row(power, 2, facts="无证经营\x1b。"))
    upload = SimpleUploadedFile("import.csv", lines.getvalue().encode(), "text/csv")
    response = client_for("editor").post(
        "/api/v1/enforcement-actions/bulk-import/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400, response.content
    assert (
        "facts" in json.dumps(response.json()["errors"]) and "U+001B" in response.content.decode()
    )
