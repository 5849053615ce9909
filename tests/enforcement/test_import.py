"""Bulk import of enforcement decisions from CSV: ``POST
/api/v1/enforcement-actions/bulk-import/`` with the file as ``file``. Every row is validated
and computed as a single create would be; the file is imported whole or not at all."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enforcement import redaction
from enforcement.models import EnforcementAction
from registry import audit
from registry.choices import AuditAction
from registry.models import AuditEntry
from registry.services import workflow
from tests.enforcement import builders

URL = "/api/v1/enforcement-actions/bulk-import/"
HEADER = [
    "body",
    "power",
    "kind",
    "name",
    "document_number",
    "party_name",
    "party_kind",
    "party_credit_code",
    "legal_representative",
    "party_id_number",
    "facts",
    "legal_basis",
    "result",
    "penalty_types",
    "severity",
    "fine_amount",
    "licence_number",
    "decision_date",
]


def row(power, number, **overrides):
    """A CSV row: even numbers a penalty of a natural person, odd ones a licence."""
    values = {
        "body": power.body_id,
        "power": power.pk,
        "kind": "penalty",
        "name": f"张三无证经营案{number}",
        "document_number": f"璧市监罚〔2026〕{number}号",
        "party_name": "张三",
        "party_kind": "natural_person",
        "party_credit_code": "",
        "legal_representative": "",
        "party_id_number": "500227199001011234",
        "facts": "张三（身份证号500227199001011234）无证经营。",
        "legal_basis": "《无证无照经营查处办法》第十三条",
        "result": "罚款一千元。",
        "penalty_types": "fine;warning",
        "severity": "general",
        "fine_amount": "1000.00",
        "licence_number": "",
        "decision_date": (datetime.date(2026, 3, 1) + datetime.timedelta(number)).isoformat(),
    }
    if number % 2:
        values.update(
            kind="licence",
            name=f"准予某公司食品经营许可{number}",
            party_name="重庆某食品有限公司",
            party_kind="legal_person",
            party_credit_code=builders.COMPANY_CODE,
            legal_representative="钱某某",
            party_id_number="",
            facts="申请材料齐全。",
            result="准予许可。",
            penalty_types="",
            severity="",
            fine_amount="",
            licence_number=f"JY{number:08d}",
        )
    values.update(overrides)
    return values


def csv_file(rows, header=HEADER, encoding="utf-8"):
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    upload = io.BytesIO(text.getvalue().encode(encoding))
    upload.name = "actions.csv"
    return upload


def post(client, upload):
    return client.post(URL, {"file": upload}, format="multipart")


def written():
    return (
        EnforcementAction.objects.count(),
        AuditEntry.objects.count(),
        list(EnforcementAction.objects.values_list("index_number", flat=True)),
    )


def test_a_file_is_imported_as_a_single_create_would_write_it(power, users, client_for):
    response = post(client_for("editor"), csv_file([row(power, n) for n in range(1, 7)]))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["created"] == 6 and len(body["ids"]) == 6
    imported = EnforcementAction.objects.in_bulk(body["ids"])
    for number, pk in enumerate(body["ids"], start=1):
        action = imported[pk]
        assert action.document_number == f"璧市监罚〔2026〕{number}号"
        assert action.status == "draft" and action.department_id == power.department_id
        # The computed dates and the stored public text are a single create's.
        values = row(power, number + 100)
        single = workflow.create(
            EnforcementAction,
            acting_user=users["editor"],
            department=power.department,
            body=power.body,
            power=power,
            **{
                key: value
                for key, value in values.items()
                if key in ("name", "party_name", "party_kind", "party_credit_code")
                or key in ("legal_representative", "facts", "legal_basis", "result")
                or key in ("kind", "severity", "party_id_number", "licence_number")
            },
            document_number=f"单〔2026〕{number}号",
            penalty_types=[t for t in values["penalty_types"].split(";") if t],
            fine_amount=values["fine_amount"] or None,
            decision_date=action.decision_date,
            date_made=action.decision_date,
        )
        for field in ("publication_due", "publication_rule", "display_until", "display_rule"):
            assert getattr(action, field) == getattr(single, field), field
        assert action.repair_possible_from == single.repair_possible_from
        stored = {column: getattr(action, column) for column in redaction.PUBLIC_COLUMNS.values()}
        assert stored == redaction.public_text(action)
    assert "500227199001011234" not in imported[body["ids"][1]].public_facts
    # Index numbers are sequential and the sequence continues after them.
    numbers = [imported[pk].index_number for pk in body["ids"]]
    assert len(set(numbers)) == 6 and numbers == sorted(numbers)
    # One audit entry per record, the chain intact.
    entries = AuditEntry.objects.filter(
        content_type__model="enforcementaction",
        object_id__in=body["ids"],
        action=AuditAction.CREATED,
    )
    assert entries.count() == 6 and {e.actor_id for e in entries} == {users["editor"].pk}
    assert entries.get(object_id=body["ids"][0]).after["document_number"] == "璧市监罚〔2026〕1号"
    assert audit.verify_chain() is None


def test_an_invalid_row_refuses_the_whole_file(power, client_for):
    before = written()
    rows = [row(power, n) for n in range(1, 5)]
    rows[1]["decision_date"] = "2026-13-01"  # row 3 of the file
    rows[2]["kind"] = "nonsense"  # row 4
    rows[3]["fine_amount"] = "many"  # row 5 (a licence: the amount is parsed first)
    response = post(client_for("editor"), csv_file(rows))
    assert response.status_code == 400
    errors = response.json()["errors"]["rows"]
    assert set(errors) == {"3", "4", "5"}
    assert "decision_date" in errors["3"] and "kind" in errors["4"]
    assert "fine_amount" in errors["5"]
    assert written() == before


def test_an_error_after_the_first_chunk_rolls_back_what_was_written(power, client_for):
    from enforcement.services import imports

    before = written()
    rows = [row(power, n) for n in range(1, imports.BATCH + 3)]
    rows[-1]["document_number"] = rows[0]["document_number"]
    response = post(client_for("editor"), csv_file(rows))
    assert response.status_code == 400
    [(number, error)] = response.json()["errors"]["rows"].items()
    assert number == str(imports.BATCH + 3) and "document_number" in error
    assert "2" in error["document_number"][0]  # names the row it repeats
    assert written() == before


def test_a_document_number_the_body_already_has_is_refused(power, users, client_for):
    builders.penalty(power, users["editor"], document_number="璧市监罚〔2026〕1号")
    response = post(client_for("editor"), csv_file([row(power, 1), row(power, 2)]))
    assert response.status_code == 400
    [(number, error)] = response.json()["errors"]["rows"].items()
    assert number == "2" and "document_number" in error


@pytest.mark.parametrize(
    "header, named",
    [
        ([*HEADER, "colour"], "colour"),
        ([name for name in HEADER if name != "power"], "power"),
        # Required as the create API requires it.
        ([name for name in HEADER if name != "facts"], "facts"),
    ],
)
def test_unknown_and_missing_columns_are_named(power, client_for, header, named):
    response = post(client_for("editor"), csv_file([row(power, 1)], header=header))
    assert response.status_code == 400
    assert named in response.json()["errors"]


def test_the_file_must_be_there_and_utf8(power, client_for):
    client = client_for("editor")
    assert "file" in client.post(URL, {}, format="multipart").json()["errors"]
    response = post(client, csv_file([row(power, 1)], encoding="gb18030"))
    assert response.status_code == 400 and "file" in response.json()["errors"]
    empty = post(client, csv_file([]))
    assert empty.status_code == 400 and "file" in empty.json()["errors"]


def test_only_editors_of_the_department_may_import(power, client_for):
    before = written()
    for reader, status in (("anonymous", 401), ("other_editor", 403), ("oversight", 403)):
        response = post(client_for(reader), csv_file([row(power, 1)]))
        assert response.status_code == status, (reader, response.content)
    assert written() == before


def test_queries_do_not_grow_with_the_rows(power, client_for):
    client = client_for("editor")
    counts = []
    for start, size in ((1, 5), (100, 60)):
        upload = csv_file([row(power, n) for n in range(start, start + size)])
        with CaptureQueriesContext(connection) as queries:
            assert post(client, upload).status_code == 201
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
