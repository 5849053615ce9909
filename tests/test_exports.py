"""Bulk downloads (``registry.exports``): ``GET /api/v1/<resource>/bulk-export/`` gives exactly
the rows the list endpoint gives for the same filters and the same reader, as CSV, NDJSON or
XLSX; the manifest named in the download's ``Link`` header holds the row count, byte count and
SHA-256 of exactly the bytes sent (``aborted`` and no hash when the client went away); the
change-feed export is the change feed; the full snapshot holds every resource's public list
and the change-feed position to continue from; the query count does not grow with the rows.

The data is built once per module (``world``) inside an outer transaction; every test runs in
a savepoint that is rolled back."""

import csv
import datetime
import hashlib
import io
import json
import re
import uuid
import zipfile
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from decisions.models import Catalogue
from decisions.services import consultations, lifecycle
from enforcement.models import EnforcementAction
from enforcement.services.actions import withdraw_action
from fiscal.models import InvestmentProject
from registry.api.router import resources
from registry.exports import snapshot, streaming, writers
from registry.models import AuditEntry, Department, ExportManifest
from registry.services import workflow
from tests.decisions import builders as decision_builders
from tests.enforcement import builders as enforcement_builders
from tests.factories import notice
from tests.fiscal import builders as fiscal_builders
from tests.recordapp.models import Notice
from tests.world import (
    api_client,
    create_user,
    module_world,
    people_world,
)

API = "/api/v1/"
CHANGES_EXPORT = f"{API}changes/bulk-export/"
SNAPSHOT = f"{API}snapshot/"
HOSPITALS = 3  # investment projects of category "hospital" (the narrow export) …
SCHOOLS = 27  # … and of category "school": 30 rows and more for the query counts

DRAFT_NOTICE = "未发布的通知草稿EXPORT-DRAFT"
WITHHELD_NOTICE = "不予公开的通知EXPORT-WITHHELD"
WITHDRAWN_NOTICE = "已撤回的通知EXPORT-WITHDRAWN"
DRAFT_DECISION = "未发布的决策EXPORT-DRAFT-DECISION"
DRAFT_PROJECT = "未发布的项目EXPORT-DRAFT-PROJECT"
WITHHELD_BASIS = "不予公开的决策依据EXPORT-DW-BASIS"
WITHHELD_ACTION = "不予公开的处罚EXPORT-WITHHELD-ACTION"
DRAFT_ACTION = "未发布的处罚EXPORT-DRAFT-ACTION"
WITHDRAWN_ACTION = "已撤回的处罚EXPORT-WITHDRAWN-ACTION"
NP_NAME, NP_MASKED, NP_ID = "张三", "张＊", "500227199001011234"
SECRETS = [
    DRAFT_NOTICE,
    WITHHELD_NOTICE,
    WITHDRAWN_NOTICE,
    DRAFT_DECISION,
    DRAFT_PROJECT,
    WITHHELD_BASIS,
    WITHHELD_ACTION,
    DRAFT_ACTION,
    WITHDRAWN_ACTION,
    NP_ID,
    "13812345678",  # the natural person's phone (in their facts as well)
]
WITHDRAWAL = {"reason": "依法撤回", "legal_basis": "《政府信息公开条例》第二十条"}


# --------------------------------------------------------------------------------------------
# The world: published, draft, withheld and withdrawn records in all three registries and of
# the test-only Notice type, in two departments.


def _build_world():
    w = people_world()
    editor, publisher = w.users["editor"], w.users["publisher"]
    other_editor, other_publisher = w.users["other_editor"], w.users["other_publisher"]
    today = timezone.localdate()

    # Notices: published in both departments, a draft of each, a withheld and a withdrawn one.
    w.notices = [
        notice(w.fgw, editor, publish_by=publisher, name=f"公开通知{i}", summary=f"摘要{i}")
        for i in range(5)
    ] + [notice(w.scjgj, other_editor, publish_by=other_publisher, name="市场监管局通知")]
    w.draft_notice = notice(w.fgw, editor, name=DRAFT_NOTICE)
    w.other_draft_notice = notice(w.scjgj, other_editor, name="市场监管局通知草稿")
    w.withheld_notice = notice(w.fgw, editor, publish_by=publisher, name=WITHHELD_NOTICE)
    workflow.amend(
        w.withheld_notice,
        acting_user=publisher,
        reason="依法不予公开",
        withheld_ground="state_secret",
        withheld_legal_basis="《保守国家秘密法》",
    )
    w.withdrawn_notice = notice(w.fgw, editor, publish_by=publisher, name=WITHDRAWN_NOTICE)
    workflow.withdraw(w.withdrawn_notice, acting_user=publisher, **WITHDRAWAL)

    # Decisions: a catalogue of the district office; published decisions (one with an open
    # consultation), a draft_withheld one (its legal basis is withheld) and a draft.
    office = Department.objects.create(code="qzfb", name_zh="区政府办公室", kind="district_office")
    office_editor = create_user("office_editor", ("editor", office))
    office_publisher = create_user("office_publisher", ("publisher", office))
    catalogue = decision_builders.catalogue(office, office_publisher, office_editor)
    decision_builders.catalogue(office, office_publisher, office_editor, year=2025)
    w.decisions = [
        decision_builders.decision(
            w.fgw, editor, catalogue, publisher=publisher, name=f"公开决策{i}", category=category
        )
        for i, category in enumerate(["public_policy", "public_policy", "public_project"])
    ]
    w.consultation = decision_builders.to_consultation(w.decisions[0], editor, publisher)
    lifecycle.advance(w.decisions[1], "drafting", acting_user=publisher)
    w.future_consultation = decision_builders.consultation(
        w.decisions[1], editor, publisher=publisher, opens_on=today + datetime.timedelta(days=10)
    )
    w.comments = [
        consultations.submit_comment(
            w.consultation, content=f"意见{i}", author_name="市民", contact=f"1380000000{i}"
        )
        for i in range(3)
    ]
    for comment in w.comments[:2]:
        consultations.moderate_comment(comment, acting_user=editor, publish=True)
    w.withheld_decision = decision_builders.decision(
        w.fgw,
        editor,
        catalogue,
        publisher=publisher,
        name="部分不予公开的决策",
        confidentiality="draft_withheld",
        confidentiality_ground="涉及国家秘密",
        legal_basis=WITHHELD_BASIS,
    )
    w.draft_decision = decision_builders.decision(w.fgw, editor, catalogue, name=DRAFT_DECISION)

    # Enforcement: a legal person's and a natural person's (redacted) penalty; a draft, a
    # withheld and a withdrawn one.
    body = enforcement_builders.body(w.fgw, editor, publisher=publisher)
    power = w.power = enforcement_builders.power(body, editor, publisher=publisher)
    other_body = enforcement_builders.body(
        w.scjgj, other_editor, publisher=other_publisher, name="区市场监管局执法支队"
    )
    enforcement_builders.power(other_body, other_editor, publisher=other_publisher, code="330202")

    def penalty(number, **fields):
        return enforcement_builders.penalty(
            power, editor, document_number=f"璧市监罚〔2026〕{number}号", **fields
        )

    w.legal_person = penalty(1, publisher=publisher)
    w.natural_person = enforcement_builders.natural_person_penalty(
        power,
        editor,
        publisher=publisher,
        document_number="璧市监罚〔2026〕2号",
        decision_date=today - datetime.timedelta(days=10),
    )
    w.draft_action = penalty(3, name=DRAFT_ACTION)
    w.withheld_action = penalty(
        4,
        publisher=publisher,
        name=WITHHELD_ACTION,
        withheld_ground="third_party_rights",
        withheld_legal_basis="《政府信息公开条例》第十五条",
    )
    w.withdrawn_action = penalty(5, publisher=publisher, name=WITHDRAWN_ACTION)
    withdraw_action(
        w.withdrawn_action,
        acting_user=publisher,
        trigger="revoked",
        trigger_date=today,
        **WITHDRAWAL,
    )

    # Fiscal: projects with targets and funding lines (nested rows) in both departments, and
    # a draft project.
    w.projects = []
    for i in range(HOSPITALS + SCHOOLS):
        department, by, pub = (
            (w.fgw, editor, publisher) if i % 2 else (w.scjgj, other_editor, other_publisher)
        )
        w.projects.append(
            fiscal_builders.project(
                department,
                by,
                publisher=pub,
                code=f"P-export-{i}",
                name=f"投资项目{i}",
                category="hospital" if i < HOSPITALS else "school",
            )
        )
    w.draft_project = fiscal_builders.project(
        w.fgw, editor, code="P-export-draft", name=DRAFT_PROJECT
    )
    return w


world = module_world(_build_world)


@pytest.fixture
def w(world, db, settings, tmp_path):
    """The module's data; the test runs in a savepoint rolled back afterwards, and snapshots
    go to a directory of the test's own."""
    settings.REGISTRY_EXPORT_ROOT = tmp_path / "exports"
    return world


def client(w, role):
    return api_client(w.tokens.get(role))


# --------------------------------------------------------------------------------------------
# Helpers.


def export_url(resource, **params):
    return f"{API}{resource}/bulk-export/?{urlencode(params)}"


def download(api, url):
    """(response, the bytes of the whole download)."""
    response = api.get(url)
    assert response.status_code == 200, (url, getattr(response, "content", b"")[:500])
    assert response.streaming, url
    return response, b"".join(response.streaming_content)


def manifest_path(response):
    link = re.fullmatch(r'<([^>]+)>; rel="describedby"', response["Link"])
    assert link, response["Link"]
    assert response["X-Export-Manifest"] == link.group(1)
    return urlsplit(link.group(1)).path


def manifest(api, response):
    found = api.get(manifest_path(response))
    assert found.status_code == 200, found.content
    return found.json()


def ndjson(body):
    text = body.decode()
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def csv_rows(body):
    return list(csv.reader(io.StringIO(body.decode())))


def xlsx_rows(body):
    """The rows of the workbook's only sheet, each a list of its cells' texts (XlsxWriter's
    constant-memory mode writes inline strings)."""
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        assert archive.testzip() is None
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets == ["xl/worksheets/sheet1.xml"], sheets
        xml = archive.read(sheets[0]).decode()
    rows = re.findall(r"<row [^>]*>(.*?)</row>", xml)
    return [re.findall(r"<t(?: [^>]*)?>(.*?)</t>", row) for row in rows]


def walk(api, url):
    """Every row of a list endpoint, following ``next``."""
    rows = []
    while url:
        page = api.get(url)
        assert page.status_code == 200, page.content
        rows += page.json()["results"]
        url = page.json()["next"]
    return rows


def walk_changes(api, url=f"{API}changes/?page_size=10"):
    """Every event of the change feed from ``url``, and the cursor to continue from."""
    events = []
    while True:
        body = api.get(url).json()
        if not body["results"]:
            return events, body["next"]
        events += body["results"]
        url = body["next"]


def cursor_of(url):
    return parse_qs(urlsplit(url).query)["cursor"][0]


def key(row):
    return row["id"]


def sha256(data):
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------------------------
# 1. The export holds exactly the list's rows, for every reader and filter.

# resource -> a filter that narrows its rows
NARROWING = {
    "departments": {"kind": "district_office"},
    "test-notices": {"department": "scjgj"},
    "catalogues": {"year": 2026},
    "decisions": {"category": "public_project"},
    "consultations": {"is_open": "true"},
    "enforcement-bodies": {"department": "fgw"},
    "enforcement-powers": {"department": "fgw"},
    "enforcement-actions": {"party_kind": "natural_person"},
    "investment-projects": {"category": "hospital"},
}
ROLES = ["anonymous", "editor", "other_editor"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("resource", list(NARROWING))
def test_export_holds_the_rows_of_the_list(w, resource, role):
    api = client(w, role)
    listed = walk(api, f"{API}{resource}/?page_size=7")
    assert listed, f"{resource} lists nothing for {role}: a vacuous comparison"

    response, body = download(api, export_url(resource, format="ndjson"))
    exported = ndjson(body)
    assert exported == sorted(listed, key=key)  # every row, as the list shows it, by id
    assert response["Content-Type"].startswith("application/x-ndjson")
    assert response["Content-Disposition"].startswith("attachment; filename=")

    narrowed = walk(api, f"{API}{resource}/?{urlencode({**NARROWING[resource], 'page_size': 7})}")
    _, body = download(api, export_url(resource, format="ndjson", **NARROWING[resource]))
    assert 0 < len(narrowed) < len(listed), (resource, role, len(narrowed), len(listed))
    assert ndjson(body) == sorted(narrowed, key=key)

    if resource != "departments":  # departments have no update time
        # updated_since: oldest change first, the same order as the list's pages
        by_update = sorted(listed, key=lambda r: (r["updated_at"], r["id"]))
        since = by_update[len(by_update) // 2]["updated_at"]
        synced = walk(api, f"{API}{resource}/?{urlencode({'updated_since': since})}&page_size=3")
        _, body = download(api, export_url(resource, format="ndjson", updated_since=since))
        assert 0 < len(synced) < len(listed)
        assert ndjson(body) == synced

    response, body = download(api, export_url(resource, format="csv", **NARROWING[resource]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, *lines = csv_rows(body)
    assert header == manifest(api, response)["columns"]
    assert [int(line[header.index("id")]) for line in lines] == sorted(map(key, narrowed))

    response, body = download(api, export_url(resource, format="xlsx"))
    assert response["Content-Type"] == writers.CONTENT_TYPES["xlsx"]
    header, *cells = xlsx_rows(body)
    assert header == manifest(api, response)["columns"]
    assert len(cells) == len(listed)
    assert [int(row[0]) for row in cells] == sorted(map(key, listed))
    name = "name" if "name" in header else "name_zh"
    assert all(listed_row[name] in row for listed_row, row in zip(exported, cells, strict=True))


def test_staff_exports_differ_by_department(w):
    """A member's export holds the department's drafts; another department's does not."""
    ids = {}
    for role in ROLES:
        _, body = download(client(w, role), export_url("test-notices", format="ndjson"))
        ids[role] = {row["id"] for row in ndjson(body)}
    assert w.draft_notice.pk in ids["editor"]
    assert w.other_draft_notice.pk in ids["other_editor"]
    assert w.draft_notice.pk not in ids["other_editor"] | ids["anonymous"]
    assert w.other_draft_notice.pk not in ids["editor"] | ids["anonymous"]


@pytest.mark.parametrize("role", ROLES)
def test_comment_exports_show_what_the_reader_may_read(w, role):
    """Moderators of the sponsoring department see contacts and pending comments; others the
    published comments only."""
    api = client(w, role)
    listed = walk(api, f"{API}comments/?page_size=2")
    response, body = download(api, export_url("comments", format="ndjson"))
    assert ndjson(body) == sorted(listed, key=key)
    moderator = role == "editor"
    assert len(listed) == (3 if moderator else 2)
    assert all(("contact" in row) is moderator for row in listed)
    response, body = download(api, export_url("comments", format="csv"))
    header, *lines = csv_rows(body)
    assert header == manifest(api, response)["columns"]
    assert ("contact" in header) is (role != "anonymous")  # staff get the moderation columns
    if "contact" in header:
        contacts = {line[header.index("contact")] for line in lines}
        assert contacts == ({c.contact for c in w.comments} if moderator else {""})


# --------------------------------------------------------------------------------------------
# 2. Manifests.


@pytest.mark.parametrize("export_format", ["csv", "ndjson", "xlsx"])
@pytest.mark.parametrize("role", ["anonymous", "editor"])
def test_manifest_describes_exactly_the_bytes_sent(w, role, export_format):
    api = client(w, role)
    url = export_url("investment-projects", format=export_format, category="school")
    response = api.get(url)
    before = manifest(api, response)  # nothing has been sent yet
    assert before["status"] == "streaming" and before["sha256"] == ""
    body = b"".join(response.streaming_content)
    after = manifest(api, response)
    rows = {
        "csv": lambda: csv_rows(body)[1:],
        "ndjson": lambda: ndjson(body),
        "xlsx": lambda: xlsx_rows(body)[1:],
    }[export_format]()
    assert len(rows) == len(walk(api, f"{API}investment-projects/?category=school")) >= SCHOOLS
    assert after["status"] == "complete"
    assert after["sha256"] == sha256(body)
    assert after["byte_count"] == len(body)
    assert after["row_count"] == len(rows)
    assert after["filters"] == {"category": "school"}
    assert after["format"] == export_format
    assert after["kind"] == "resource" and after["resource"] == "investment-projects"
    assert after["change_seq"] == streaming.last_public_seq()
    assert after["schema_version"] == settings.SPECTACULAR_SETTINGS["VERSION"]
    assert after["generated_at"] and after["completed_at"]
    assert after["truncated_cells"] == 0
    assert response["Content-Disposition"] == f'attachment; filename="{after["file_name"]}"'


def test_a_download_cut_short_is_aborted(w, monkeypatch):
    monkeypatch.setattr(writers, "CHUNK_BYTES", 1024)  # many chunks from a few rows
    api = client(w, "anonymous")
    response = api.get(export_url("investment-projects", format="ndjson"))
    chunks = iter(response.streaming_content)
    first = next(chunks)
    assert 1024 <= len(first) < 4096
    # The client goes away: the server closes the response. (Closing it also ends the
    # request, which closes the database connection: not the one the test's transaction
    # lives on.)
    with monkeypatch.context() as patch:
        patch.setattr(connections[DEFAULT_DB_ALIAS], "close", lambda: None)
        response.close()
    aborted = manifest(api, response)
    assert aborted["status"] == "aborted"
    assert aborted["sha256"] == ""
    assert aborted["byte_count"] == len(first)
    assert 0 < aborted["row_count"] < len(w.projects)
    assert aborted["completed_at"]


def test_manifests_of_members_are_private(w):
    mine = client(w, "editor")
    response, _body = download(mine, export_url("test-notices", format="ndjson"))
    path = manifest_path(response)
    assert mine.get(path).json()["row_count"] == len(walk(mine, f"{API}test-notices/"))
    for role in ("anonymous", "other_editor", "publisher", "oversight"):
        assert client(w, role).get(path).status_code == 404, role

    response, _body = download(client(w, "anonymous"), export_url("test-notices"))
    path = manifest_path(response)
    for role in ("anonymous", "editor", "other_editor"):
        assert client(w, role).get(path).status_code == 200, role

    assert mine.get(f"{API}exports/{uuid.uuid4()}/").status_code == 404
    assert mine.get(f"{API}exports/not-a-uuid/").status_code == 404


# --------------------------------------------------------------------------------------------
# 3. Confidentiality: the anonymous export shows no more than the public list.


@pytest.mark.parametrize("export_format", ["csv", "ndjson", "xlsx"])
def test_nothing_unpublished_or_withheld_is_exported(w, export_format):
    api = client(w, "anonymous")
    texts = {}
    for resource in ("test-notices", "decisions", "enforcement-actions", "investment-projects"):
        _, body = download(api, export_url(resource, format=export_format))
        texts[resource] = body if export_format == "xlsx" else body.decode()
        if export_format == "xlsx":
            texts[resource] = "\n".join("\t".join(row) for row in xlsx_rows(body))
    everything = "\n".join(texts.values())
    leaked = [secret for secret in SECRETS if secret in everything]
    assert leaked == [], f"the anonymous {export_format} export shows {leaked}"
    # A natural person's name is masked; the withheld decision is listed without its basis.
    assert NP_MASKED in texts["enforcement-actions"]
    assert f"{NP_NAME}无证" not in texts["enforcement-actions"]
    assert "部分不予公开的决策" in texts["decisions"]
    assert "公开通知4" in texts["test-notices"] and "投资项目0" in texts["investment-projects"]

    if export_format == "ndjson":
        actions = {row["id"]: row for row in ndjson(texts["enforcement-actions"].encode())}
        assert set(actions) == {w.legal_person.pk, w.natural_person.pk}
        person = actions[w.natural_person.pk]
        assert person["party_name"] == NP_MASKED
        assert "party_id_number" not in person or not person["party_id_number"]
        decisions = {row["id"]: row for row in ndjson(texts["decisions"].encode())}
        assert decisions[w.withheld_decision.pk]["legal_basis"] is None
        assert w.draft_decision.pk not in decisions
        notices = {row["id"] for row in ndjson(texts["test-notices"].encode())}
        assert not notices & {w.draft_notice.pk, w.withheld_notice.pk, w.withdrawn_notice.pk}


def test_a_member_exports_what_the_member_may_read(w):
    _, body = download(client(w, "editor"), export_url("enforcement-actions", format="ndjson"))
    rows = {row["id"]: row for row in ndjson(body)}
    assert w.draft_action.pk in rows and w.withheld_action.pk in rows
    assert rows[w.natural_person.pk]["party_name"] == NP_NAME
    assert rows[w.natural_person.pk]["party_id_number"] == NP_ID


# --------------------------------------------------------------------------------------------
# 4. Bad input is a 400 naming the parameter.


@pytest.mark.parametrize(
    "url, field",
    [
        (export_url("test-notices", format="pdf"), "format"),
        (export_url("test-notices", format="json"), "format"),
        (export_url("test-notices", bogus="1"), "bogus"),
        (export_url("decisions", format="ndjson", stage="nonsense"), "stage"),
        (export_url("test-notices", updated_since="yesterday"), "updated_since"),
        (export_url("departments", kind="planet"), "kind"),
        (f"{CHANGES_EXPORT}?format=pdf", "format"),
        (f"{CHANGES_EXPORT}?cursor=nonsense", "cursor"),
        (f"{CHANGES_EXPORT}?page_size=3", "page_size"),
        (export_url("test-notices", page_size="10"), "page_size"),
        (export_url("test-notices", cursor="zzz"), "cursor"),
    ],
)
def test_bad_parameters(w, url, field):
    before = ExportManifest.objects.count()
    response = client(w, "anonymous").get(url)
    assert response.status_code == 400, url
    assert field in response.json()["errors"], response.json()
    assert ExportManifest.objects.count() == before  # no manifest for a refused download


# --------------------------------------------------------------------------------------------
# 5. The change-feed export is the change feed.


def test_changes_export_is_the_change_feed(w):
    api = client(w, "anonymous")
    events, _ = walk_changes(api)
    assert len(events) > 40
    assert {e["state"] for e in events} == {"present", "tombstone", "removed"}
    response, body = download(api, f"{CHANGES_EXPORT}?format=ndjson")
    assert ndjson(body) == events
    described = manifest(api, response)
    assert described["kind"] == "changes" and described["row_count"] == len(events)
    assert described["sha256"] == sha256(body)
    assert described["change_seq"] == events[-1]["seq"]

    # cursor= starts after it: from the cursor the first page of the feed hands out
    first = api.get(f"{API}changes/?page_size=10").json()
    cursor = cursor_of(first["next"])
    response, body = download(api, f"{CHANGES_EXPORT}?format=ndjson&cursor={cursor}")
    assert ndjson(body) == events[10:]
    assert manifest(api, response)["filters"] == {"cursor": cursor}

    # CSV: one line per event, nested values as JSON
    _, body = download(api, CHANGES_EXPORT)
    header, *lines = csv_rows(body)
    assert [int(line[header.index("seq")]) for line in lines] == [e["seq"] for e in events]
    present = [line for line in lines if line[header.index("state")] == "present"]
    assert json.loads(present[0][header.index("record")])["id"]

    # After the last event: nothing, and a new publication appears.
    _, last = walk_changes(api)
    cursor = cursor_of(last)
    _, body = download(api, f"{CHANGES_EXPORT}?format=ndjson&cursor={cursor}")
    assert body == b""
    later = notice(w.fgw, w.users["editor"], publish_by=w.users["publisher"])
    _, body = download(api, f"{CHANGES_EXPORT}?format=ndjson&cursor={cursor}")
    assert [(e["id"], e["event"]) for e in ndjson(body)] == [(later.pk, "published")]


def test_change_feed_renders_alike_whatever_the_page_size(w):
    """A withdrawn record whose id is that of a present record of another type on the same
    page is still a tombstone (the export reads the feed in pages of 1,000)."""
    editor, publisher = w.users["editor"], w.users["publisher"]
    api = client(w, "anonymous")
    _, start = walk_changes(api, f"{API}changes/?page_size=1000")
    pk = 900_001  # a notice and an enforcement action with the same id
    notice(w.fgw, editor, publish_by=publisher, id=pk)
    action = enforcement_builders.penalty(
        w.power, editor, publisher=publisher, id=pk, document_number="璧市监罚〔2026〕99号"
    )
    withdraw_action(
        action,
        acting_user=publisher,
        trigger="revoked",
        trigger_date=timezone.localdate(),
        **WITHDRAWAL,
    )
    alone, _ = walk_changes(api, f"{API}changes/?cursor={cursor_of(start)}&page_size=1")
    assert [(e["resource"], e["event"], e["state"]) for e in alone] == [
        ("test-notices", "published", "present"),
        ("enforcement-actions", "published", "tombstone"),
        ("enforcement-actions", "withdrawn", "tombstone"),
    ]
    together, _ = walk_changes(api, f"{API}changes/?page_size=1000")
    _, body = download(api, f"{CHANGES_EXPORT}?format=ndjson")
    assert together[-3:] == alone
    assert ndjson(body) == together


# --------------------------------------------------------------------------------------------
# 6. The full snapshot.


def snapshot_files(api):
    response = api.get(SNAPSHOT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    body = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return response, body, files


def test_snapshot_holds_every_public_list(w):
    api = client(w, "anonymous")
    missing = api.get(SNAPSHOT)
    assert missing.status_code == 404 and missing.json()["detail"]
    assert api.get(f"{SNAPSHOT}manifest/").status_code == 404

    built = snapshot.build()
    response, body, files = snapshot_files(api)
    described = api.get(f"{SNAPSHOT}manifest/").json()
    assert described["sha256"] == sha256(body) == response["ETag"].strip('"')
    assert described["byte_count"] == len(body)
    assert described["id"] == str(built.pk) and described["kind"] == "snapshot"
    contents = json.loads(files.pop("manifest.json"))
    prefixes = [prefix for prefix, _viewset in resources()]
    assert sorted(files) == sorted(f"{prefix}.ndjson" for prefix in prefixes)
    assert [part["resource"] for part in contents["files"]] == prefixes
    assert described["files"] == contents["files"]
    for part in contents["files"]:
        data = files[part["file"]]
        assert part["sha256"] == sha256(data) and part["bytes"] == len(data)
        rows = ndjson(data)
        assert len(rows) == part["rows"]
        listed = walk(api, f"{API}{part['resource']}/?page_size=500")
        assert rows == sorted(listed, key=key), part["resource"]
    assert described["row_count"] == sum(part["rows"] for part in contents["files"])
    assert len(files["test-notices.ndjson"].splitlines()) == 6
    assert DRAFT_NOTICE.encode() not in b"".join(files.values())

    # The change-feed cursor continues after exactly what the snapshot holds.
    assert contents["change_seq"] == described["change_seq"] == streaming.last_public_seq()
    events, _ = walk_changes(api, f"{API}changes/?cursor={contents['change_cursor']}")
    assert events == []
    later = notice(w.fgw, w.users["editor"], publish_by=w.users["publisher"], name="快照之后")
    first = Notice.objects.get(pk=w.notices[0].pk)
    workflow.withdraw(first, acting_user=w.users["publisher"], **WITHDRAWAL)
    events, _ = walk_changes(api, f"{API}changes/?cursor={contents['change_cursor']}")
    assert [(e["id"], e["event"]) for e in events] == [
        (later.pk, "published"),
        (w.notices[0].pk, "withdrawn"),
    ]


def test_snapshot_is_rebuilt_only_after_a_change(w):
    first = snapshot.build()
    assert snapshot.build() == first  # nothing changed: the same archive
    assert ExportManifest.objects.filter(kind="snapshot").count() == 1

    # A draft is no public change.
    notice(w.fgw, w.users["editor"], name="又一个草稿")
    assert snapshot.build() == first

    notice(w.fgw, w.users["editor"], publish_by=w.users["publisher"], name="新发布")
    second = snapshot.build()
    assert second != first and second.change_seq > first.change_seq
    assert snapshot.latest() == second

    notice(w.fgw, w.users["editor"], publish_by=w.users["publisher"], name="再发布")
    third = snapshot.build()
    on_disk = sorted(p.name for p in snapshot.directory().glob("*.zip"))
    assert on_disk == sorted([second.file_name, third.file_name])  # the newest two
    assert not list(snapshot.directory().glob("*.partial"))
    _, _, files = snapshot_files(client(w, "anonymous"))
    assert json.loads(files["manifest.json"])["change_seq"] == third.change_seq
    assert b"\xe5\x86\x8d\xe5\x8f\x91\xe5\xb8\x83" in files["test-notices.ndjson"]  # 再发布

    # The date changing makes a snapshot stale too (expiry depends on the date).
    ExportManifest.objects.filter(pk=third.pk).update(
        generated_at=third.generated_at - datetime.timedelta(days=1)
    )
    assert snapshot.build().pk not in (second.pk, third.pk)


def test_build_snapshot_command(w, capsys):
    from django.core.management import call_command

    call_command("build_snapshot")
    latest = snapshot.latest()
    assert latest is not None and snapshot.path_of(latest).exists()


# --------------------------------------------------------------------------------------------
# 7. Queries: constant in the number of rows.


def export_queries(api, url):
    """The number of queries a whole download takes, and its bytes."""
    download(api, url)  # warm up (token, content types)
    with CaptureQueriesContext(connection) as queries:
        _, body = download(api, url)
    return len(queries), body


@pytest.mark.parametrize("export_format", ["csv", "ndjson", "xlsx"])
@pytest.mark.parametrize("role", ["anonymous", "editor"])
def test_export_queries_do_not_grow_with_the_rows(w, role, export_format):
    api = client(w, role)
    few, small = export_queries(
        api, export_url("investment-projects", format=export_format, category="hospital")
    )
    many, large = export_queries(api, export_url("investment-projects", format=export_format))
    if export_format == "ndjson":
        assert len(ndjson(small)) == HOSPITALS
        rows = ndjson(large)
        assert len(rows) >= HOSPITALS + SCHOOLS
        assert all(row["targets"] and row["funding"] for row in rows)  # nested rows are there
    print(f"\nQUERIES export {role} {export_format}: {HOSPITALS} rows -> {few}, more -> {many}")
    assert few == many, (role, export_format, few, many)


def test_changes_export_queries_do_not_grow_with_the_events(w):
    api = client(w, "anonymous")
    few, _ = export_queries(api, f"{CHANGES_EXPORT}?format=ndjson")
    for i in range(10):
        notice(w.fgw, w.users["editor"], publish_by=w.users["publisher"], name=f"更多{i}")
    many, body = export_queries(api, f"{CHANGES_EXPORT}?format=ndjson")
    assert len(ndjson(body)) > 10
    assert few == many, (few, many)


def test_world_is_as_described(w):
    """Guards the fixtures the comparisons rely on."""
    assert InvestmentProject.objects.filter(status="published").count() == HOSPITALS + SCHOOLS
    assert EnforcementAction.objects.public().count() == 2
    assert Catalogue.objects.count() == 2
    assert AuditEntry.objects.filter(is_public=True).exists()


def test_a_csv_written_by_postgresql_cut_short_is_aborted(w, monkeypatch):
    """The COPY is cancelled inside the download's transaction: the worker neither hangs
    nor reads the rest, and the connection stays usable."""
    import faulthandler

    # Enough public decisions that the COPY is still sending when the client goes.
    source = EnforcementAction.objects.public().order_by("pk")[0]
    columns = [f.column for f in EnforcementAction._meta.concrete_fields if f.column != "id"]
    copied = [
        f"{c} || '-' || n" if c in ("index_number", "document_number") else c for c in columns
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO enforcement_enforcementaction ({', '.join(columns)}) "
            f"SELECT {', '.join(copied)} FROM enforcement_enforcementaction, "
            "generate_series(1, 3000) AS n WHERE id = %s",
            [source.pk],
        )
    # A hang blocks in libpq, where no Python signal handler runs: the watchdog thread
    # ends the test process instead (the run fails rather than waiting for ever).
    faulthandler.dump_traceback_later(120, exit=True)
    try:
        monkeypatch.setattr(writers, "CHUNK_BYTES", 256)
        api = client(w, "anonymous")
        response = api.get(export_url("enforcement-actions", format="csv"))
        chunks = iter(response.streaming_content)
        sent = next(chunks) + next(chunks)  # the header, then rows
        with monkeypatch.context() as patch:
            patch.setattr(connections[DEFAULT_DB_ALIAS], "close", lambda: None)
            response.close()
        aborted = manifest(api, response)
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert aborted["status"] == "aborted" and aborted["sha256"] == ""
    assert aborted["byte_count"] == len(sent)
    assert 0 < aborted["row_count"] < EnforcementAction.objects.public().count()
