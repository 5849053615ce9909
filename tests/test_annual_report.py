"""The annual disclosure report tables (issue 10): computed for demo departments and years
and checked against counts made independently of the implementation — which records the
public may see is asked of the public API (a record's page answers 200, or 410 with its
tombstone), everything else is counted in Python over the records and the audit log. Also
the CSV and XLSX layouts, the 400s and the number of queries."""

import csv
import datetime
import io
import re
import zipfile
from collections import Counter
from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from decisions.models import AdoptionItem, Comment, Consultation, Decision
from enforcement.models import EnforcementAction
from registry import record_types
from registry.annual_report import report, tables
from registry.models import AuditEntry, Department, PublicRecord
from tests.world import api_client, demo_data_world

URL = "/api/v1/annual-report/"
# Departments and years of the demo data with something in every kind of table: the
# market regulator's enforcement (with withdrawals and an amendment in 2024), a decision
# with a consultation and an adoption report (ghzyj 2024), an open consultation with
# comments (fgw 2026), the finance bureau's debt reports and bonds.
CASES = [("scjgj", 2026), ("scjgj", 2024), ("ghzyj", 2024), ("fgw", 2026), ("czj", 2025)]


world = demo_data_world()


@pytest.fixture
def demo(world, db):
    return world


def local_year(moment):
    return timezone.localtime(moment).year if moment else None


def record_models():
    return [
        (t.prefix, t.viewset.model)
        for t in record_types.registered()
        if issubclass(getattr(t.viewset, "model", object), PublicRecord)
    ]


class PublicView:
    """What an anonymous reader of the API sees of a record: 200, 410 (tombstone) or 404."""

    def __init__(self):
        self.client = api_client()
        self.statuses = {}

    def status(self, prefix, pk):
        if (prefix, pk) not in self.statuses:
            response = self.client.get(f"/api/v1/{prefix}/{pk}/")
            assert response.status_code in (200, 404, 410), response.content[:300]
            self.statuses[prefix, pk] = response.status_code
        return self.statuses[prefix, pk]

    def counted(self, prefix, record):
        """Whether the report should count the record: the public sees it or its tombstone;
        or it is an enforcement decision that was disclosed and whose display period has
        ended since (its body still public)."""
        if self.status(prefix, record.pk) in (200, 410):
            return True
        if not isinstance(record, EnforcementAction):
            return False
        return (
            record.display_until is not None
            and record.display_until < timezone.localdate()
            and record.status in ("published", "withdrawn")
            and record.published_at is not None
            and record.withheld_ground == ""
            and not record.party_is_minor
            and self.status("enforcement-bodies", record.body_id) == 200
        )


XLSX = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def read_workbook(body):
    """``{sheet name: rows}`` of an XLSX file, read with the standard library (the project
    writes XLSX, it does not read it): texts as str, numbers as Decimal, empty cells None."""
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        strings = []
        if "xl/sharedStrings.xml" in archive.namelist():
            shared = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
            strings = ["".join(t.text or "" for t in si.iter(f"{XLSX}t")) for si in shared]
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target") for rel in rels}
        sheets = {}
        for sheet in book.iter(f"{XLSX}sheet"):
            xml = ElementTree.fromstring(archive.read("xl/" + targets[sheet.get(RELATIONSHIP)]))
            rows = []
            for row in xml.iter(f"{XLSX}row"):
                cells = {}
                for c in row.iter(f"{XLSX}c"):
                    letters = re.match(r"[A-Z]+", c.get("r")).group()
                    column = 0
                    for letter in letters:
                        column = column * 26 + ord(letter) - 64
                    value = c.find(f"{XLSX}v")
                    if c.get("t") == "s":
                        cells[column - 1] = strings[int(value.text)]
                    elif c.get("t") == "inlineStr":
                        cells[column - 1] = "".join(t.text or "" for t in c.iter(f"{XLSX}t"))
                    else:
                        cells[column - 1] = Decimal(value.text)
                rows.append([cells.get(i) for i in range(max(cells) + 1)])
            sheets[sheet.get("name")] = rows
    return sheets


def table_of(built, key):
    (found,) = [t for t in built["tables"] if t["key"] == key]
    return {row["key"]: row for row in found["rows"]}


def nonzero(rows):
    """Rows with every zero dropped (what the independent counts produce)."""
    result = {}
    for key, row in rows.items():
        values = {
            name: value
            for name, value in row.items()
            if name not in ("key", "label") and value not in (0, "0.00")
        }
        if values:
            result[key] = values
    return result


def expected_proactive(department, year, view):
    amendments = Counter()
    for entry in AuditEntry.objects.filter(action="amended"):
        if local_year(entry.created_at) == year:
            amendments[entry.content_type_id, entry.object_id] += 1
    proactive, withdrawals = {}, {}
    for prefix, model in record_models():
        content_type = ContentType.objects.get_for_model(model)
        published = amended = withdrawn = same_year = 0
        for record in model.objects.filter(department=department):
            if not view.counted(prefix, record):
                continue
            published += local_year(record.published_at) == year
            amended += (content_type.pk, record.pk) in amendments
            if record.status == "withdrawn" and local_year(record.withdrawn_at) == year:
                withdrawn += 1
                same_year += local_year(record.published_at) == year
        if published or amended or withdrawn:
            proactive[prefix] = {"published": published, "amended": amended, "withdrawn": withdrawn}
            proactive[prefix] = {k: v for k, v in proactive[prefix].items() if v}
        if withdrawn:
            withdrawals[prefix] = {"withdrawn": withdrawn}
            if same_year:
                withdrawals[prefix]["published_same_year"] = same_year
            if withdrawn - same_year:
                withdrawals[prefix]["published_earlier"] = withdrawn - same_year
    return proactive, withdrawals


def expected_enforcement(department, year, view):
    actions, withdrawals = {}, {}
    for action in EnforcementAction.objects.filter(department=department):
        if not view.counted("enforcement-actions", action):
            continue
        if action.status == "published" and action.decision_date.year == year:
            row = actions.setdefault(action.kind, Counter())
            row["decisions"] += 1
            row[f"party_{action.party_kind}"] += 1
            row["fine_total"] += action.fine_amount or Decimal(0)
            row["confiscation_total"] += action.confiscation_amount or Decimal(0)
        if action.status == "withdrawn" and local_year(action.withdrawn_at) == year:
            row = withdrawals.setdefault(action.withdrawal_trigger or "other", Counter())
            row["withdrawn"] += 1
            withdrawn_on = timezone.localtime(action.withdrawn_at).date()
            row["late"] += bool(action.withdrawal_due and withdrawn_on > action.withdrawal_due)
    for row in actions.values():
        for name in ("fine_total", "confiscation_total"):
            row[name] = f"{row[name]:.2f}"
    clean = lambda rows: {  # noqa: E731
        key: {k: v for k, v in row.items() if v not in (0, "0.00")} for key, row in rows.items()
    }
    return clean(actions), clean(withdrawals)


def expected_decisions(department, year, view):
    decisions = {}
    for decision in Decision.objects.filter(department=department).select_related("catalogue"):
        if view.status("decisions", decision.pk) != 200:
            continue
        listed = decision.catalogue.year == year
        decided = decision.decided_on is not None and decision.decided_on.year == year
        row = decisions.setdefault(decision.category, Counter())
        if listed:
            row["listed"] += 1
            row[f"stage_{decision.stage}"] += 1
        if decided:
            row["decided"] += 1
    consultations = {}
    for consultation in Consultation.objects.filter(department=department):
        if consultation.opens_on.year != year:
            continue
        if view.status("consultations", consultation.pk) != 200:
            continue
        row = consultations.setdefault(consultation.document_type, Counter())
        row["opened"] += 1
        row["shortened"] += bool(consultation.shortening_reason)
        for comment in Comment.objects.filter(consultation=consultation):
            row["comments_received"] += 1
            row["comments_published"] += comment.status == "published"
        for item in AdoptionItem.objects.filter(report__consultation=consultation):
            if view.status("adoption-reports", item.report_id) == 200:
                row[item.outcome] += 1
    clean = lambda rows: {key: +row for key, row in rows.items() if +row}  # noqa: E731
    return clean(decisions), clean(consultations)


@pytest.mark.parametrize("code,year", CASES)
def test_tables_match_independent_counts(demo, code, year):
    assert_matches_independent_counts(code, year)


def test_withdrawn_and_amended_records_of_every_kind_count(demo):
    """A hearing withdrawn and a consultation corrected now (record types whose public
    tombstone is the registry's default) count in this year's tables."""
    from django.contrib.auth import get_user_model

    from decisions.models import Hearing
    from registry.services import workflow

    publisher = get_user_model().objects.get(username="fgw_publisher")
    year = timezone.localdate().year
    before = report.build(Department.objects.get(code="fgw"), year)
    hearing = Hearing.objects.filter(department__code="fgw", status="published").first()
    workflow.withdraw(
        hearing, acting_user=publisher, reason="听证公告有误", legal_basis="《政府信息公开条例》"
    )
    consultation = Consultation.objects.filter(department__code="fgw", status="published").first()
    workflow.amend(consultation, acting_user=publisher, reason="更正错字", summary="更正后的概述")
    after = assert_matches_independent_counts("fgw", year)
    for key, column, change in [
        ("hearings", "withdrawn", 1),
        ("consultations", "amended", 1),
    ]:
        was = table_of(before, "proactive_disclosure")[key][column]
        assert table_of(after, "proactive_disclosure")[key][column] == was + change
    assert table_of(after, "withdrawals")["hearings"]["withdrawn"] == 1


def assert_matches_independent_counts(code, year):
    department = Department.objects.get(code=code)
    built = api_client().get(URL, {"department": code, "year": year}).json()
    assert built["department"] == {"code": code, "name": department.name_zh}
    assert built["year"] == year
    view = PublicView()

    proactive, withdrawals = expected_proactive(department, year, view)
    assert nonzero(table_of(built, "proactive_disclosure")) == proactive
    assert nonzero(table_of(built, "withdrawals")) == withdrawals

    actions, action_withdrawals = expected_enforcement(department, year, view)
    assert nonzero(table_of(built, "enforcement_actions")) == actions
    assert nonzero(table_of(built, "enforcement_withdrawals")) == action_withdrawals

    decisions, consultations = expected_decisions(department, year, view)
    assert nonzero(table_of(built, "decisions")) == decisions
    assert nonzero(table_of(built, "consultations")) == consultations
    return built


def test_the_demo_cases_are_not_empty(demo):
    """The cases above test something: together they have figures in every table."""
    filled = set()
    for code, year in CASES:
        built = report.build(Department.objects.get(code=code), year)
        filled |= {
            table["key"] for table in built["tables"] if nonzero(table_of(built, table["key"]))
        }
    assert filled == {table.key for table in tables.registered()}


def test_every_row_and_column_is_present_and_labelled(demo):
    built = report.build(Department.objects.get(code="scjgj"), 2026)
    for table in built["tables"]:
        keys = {column["key"] for column in table["columns"]}
        assert table["title"] and table["row_heading"] and keys
        assert table["rows"], table["key"]
        for row in table["rows"]:
            assert set(row) == keys | {"key", "label"}, table["key"]
            assert row["label"]
    proactive = table_of(built, "proactive_disclosure")
    assert proactive["enforcement-actions"]["label"] == "执法决定"
    assert set(proactive) == {prefix for prefix, _model in record_models()}


def test_english_labels(demo):
    built = api_client().get(URL, {"department": "scjgj", "year": 2026}, HTTP_ACCEPT_LANGUAGE="en")
    tables_by_key = {t["key"]: t for t in built.json()["tables"]}
    assert tables_by_key["enforcement_actions"]["row_heading"] == "decision type"
    labels = {row["key"]: row["label"] for row in tables_by_key["enforcement_actions"]["rows"]}
    assert labels["penalty"] == "administrative penalty"


def test_csv_has_one_line_per_value(demo):
    built = report.build(Department.objects.get(code="scjgj"), 2026)
    response = api_client().get(URL, {"department": "scjgj", "year": 2026, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="annual-report-scjgj-2026.csv"' in response["Content-Disposition"]
    lines = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert list(lines[0]) == list(report.LONG_COLUMNS)
    expected = sum(len(t["rows"]) * len(t["columns"]) for t in built["tables"])
    assert len(lines) == expected
    by_cell = {(line["table"], line["row"], line["column"]): line for line in lines}
    actions = table_of(built, "enforcement_actions")
    penalty = by_cell["enforcement_actions", "penalty", "decisions"]
    assert int(penalty["value"]) == actions["penalty"]["decisions"] > 0
    assert penalty["row_label"] == "行政处罚" and penalty["column_label"] == "决定数"
    fines = by_cell["enforcement_actions", "penalty", "fine_total"]
    assert fines["value"] == actions["penalty"]["fine_total"]


def test_xlsx_has_one_sheet_per_table(demo):
    built = report.build(Department.objects.get(code="scjgj"), 2026)
    response = api_client().get(URL, {"department": "scjgj", "year": 2026, "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = read_workbook(response.content)
    assert list(book) == [t["key"] for t in built["tables"]]
    values = book["enforcement_actions"]
    assert values[0][0] == "区市场监管局 2026年政府信息公开工作年度报告统计表"
    assert values[1][0] == "行政执法决定情况（按决定类别）"
    header = values[2]
    assert header[0] == "决定类别" and header[1] == "决定数"
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in values[3:]}
    assert len(rows) == len(actions := table_of(built, "enforcement_actions"))
    assert rows["行政处罚"]["决定数"] == actions["penalty"]["decisions"] > 0
    assert rows["行政处罚"]["罚款金额合计（元）"] == Decimal(actions["penalty"]["fine_total"])


@pytest.mark.parametrize(
    "params,parameter",
    [
        ({"year": 2026}, "department"),
        ({"department": "nosuch", "year": 2026}, "department"),
        ({"department": "scjgj\x00", "year": 2026}, "department"),  # was a 500
        ({"department": "scjgj"}, "year"),
        ({"department": "scjgj", "year": "abc"}, "year"),
        ({"department": "scjgj", "year": "1999"}, "year"),
        ({"department": "scjgj", "year": "２０２６"}, "year"),
        ({"department": "scjgj", "year": "2101"}, "year"),
        ({"department": "scjgj", "year": 2026, "format": "pdf"}, "format"),
        ({"department": "scjgj", "year": 2026, "colour": "red"}, "colour"),
    ],
)
def test_bad_parameters_are_400_naming_them(demo, params, parameter):
    response = api_client().get(URL, params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body["errors"]) == [parameter]
    assert body["detail"].startswith(f"请求有误：{parameter}: ")


def test_a_year_without_records_is_all_zeros(demo):
    built = api_client().get(URL, {"department": "scjgj", "year": 2100}).json()
    assert built["year"] == 2100
    assert all(not nonzero(table_of(built, t["key"])) for t in built["tables"])


def test_400_in_english(demo):
    response = api_client().get(
        URL, {"department": "nosuch", "year": 2026}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json()["errors"]["department"] == [
        "There is no department with the code “nosuch”."
    ]


def test_a_fixed_number_of_queries(demo):
    """Each table aggregates in the database: the same number of queries for a department
    with hundreds of records as for one with none."""
    counts = {}
    for code in ("scjgj", "jtj"):
        department = Department.objects.get(code=code)
        with CaptureQueriesContext(connection) as queries:
            report.build(department, 2026)
        counts[code] = len(queries.captured_queries)
    # proactive 1, withdrawals 1, decisions 1, consultations 3, enforcement 2
    assert counts == {"scjgj": 8, "jtj": 8}


def test_drafts_do_not_count(demo):
    """A draft of the department, made in the year, changes nothing."""
    department = Department.objects.get(code="scjgj")
    before = report.build(department, 2026)
    draft = EnforcementAction.objects.filter(department=department, status="published").first()
    draft.pk = None
    draft.status = "draft"
    draft.published_at = None
    draft.index_number = "TEST/2026-99999"
    draft.document_number = "测试草稿"
    draft.decision_date = datetime.date(2026, 3, 2)
    draft.save()
    after = report.build(department, 2026)
    assert [t["rows"] for t in after["tables"]] == [t["rows"] for t in before["tables"]]
