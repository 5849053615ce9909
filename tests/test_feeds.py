"""Atom feeds (``registry.feeds``): the latest publications of the whole registry, of one
registry and of one department, newest first, rendered through the change feed (so a record
withdrawn or withheld after publication drops out); the list feed of consultations open
today; 404 for what does not exist; every entry's link is the record's public API URL."""

import datetime
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from decisions.services import lifecycle
from registry.models import Department
from registry.services import workflow
from tests.decisions import builders as decision_builders
from tests.enforcement import builders as enforcement_builders
from tests.factories import notice
from tests.fiscal import builders as fiscal_builders
from tests.world import create_user

ATOM = "{http://www.w3.org/2005/Atom}"
WITHDRAWAL = {"reason": "依法撤回", "legal_basis": "《政府信息公开条例》第二十条"}
REGISTRIES = {
    "decisions": {"catalogues", "decisions", "consultations"},
    "enforcement": {"enforcement-bodies", "enforcement-powers", "enforcement-actions"},
    "fiscal": {"investment-projects"},
}


def parse(response):
    """The entries of an Atom feed, after checking what RFC 4287 requires of it."""
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert (root.findtext(f"{ATOM}{required}") or "").strip(), required
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["self"].endswith(response.wsgi_request.path)
    entries = []
    for entry in root.findall(f"{ATOM}entry"):
        for required in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{required}") or "").strip(), required
        datetime.datetime.fromisoformat(entry.findtext(f"{ATOM}updated"))
        link = entry.find(f"{ATOM}link")
        entries.append(
            {
                "id": entry.findtext(f"{ATOM}id"),
                "title": entry.findtext(f"{ATOM}title"),
                "path": urlsplit(link.get("href")).path,
                "author": entry.findtext(f"{ATOM}author/{ATOM}name"),
                "categories": [c.get("term") for c in entry.findall(f"{ATOM}category")],
            }
        )
    assert len({e["id"] for e in entries}) == len(entries), "entry ids must be unique"
    return entries


def paths(entries):
    return [entry["path"] for entry in entries]


def path_of(resource, record):
    return f"/api/v1/{resource}/{record.pk}/"


@pytest.fixture
def world(departments, users):
    """Publications in all three registries and of the test Notice type, in two departments
    and the district office, plus a draft, a withheld and a withdrawn record."""
    fgw, scjgj = departments["fgw"], departments["scjgj"]
    editor, publisher = users["editor"], users["publisher"]
    office = Department.objects.create(code="qzfb", name_zh="区政府办公室", kind="district_office")
    office_editor = create_user("office_editor", ("editor", office))
    office_publisher = create_user("office_publisher", ("publisher", office))
    w = {}
    w["catalogue"] = decision_builders.catalogue(office, office_publisher, office_editor)
    w["decision"] = decision_builders.decision(
        fgw, editor, w["catalogue"], publisher=publisher, name="公开的决策"
    )
    w["consultation"] = decision_builders.to_consultation(w["decision"], editor, publisher)
    body = enforcement_builders.body(fgw, editor, publisher=publisher)
    w["power"] = enforcement_builders.power(body, editor, publisher=publisher)
    w["penalty"] = enforcement_builders.penalty(w["power"], editor, publisher=publisher)
    w["project"] = fiscal_builders.project(fgw, editor, publisher=publisher, name="公开的项目")
    w["notice"] = notice(fgw, editor, publish_by=publisher, name="公开的通知")
    w["other_notice"] = notice(
        scjgj, users["other_editor"], publish_by=users["other_publisher"], name="市场监管局通知"
    )
    w["draft"] = notice(fgw, editor, name="未发布的通知")
    w["withheld"] = notice(fgw, editor, publish_by=publisher, name="后来不予公开的通知")
    workflow.amend(
        w["withheld"],
        acting_user=publisher,
        reason="依法不予公开",
        withheld_ground="state_secret",
        withheld_legal_basis="《保守国家秘密法》",
    )
    w["withdrawn"] = notice(fgw, editor, publish_by=publisher, name="后来撤回的通知")
    workflow.withdraw(w["withdrawn"], acting_user=publisher, **WITHDRAWAL)
    return w


def published_and_public(client):
    """(resource, id) of every published event still public, newest first, from the change
    feed."""
    url, events = "/api/v1/changes/?page_size=1", []
    while True:
        body = client.get(url).json()
        if not body["results"]:
            break
        events += body["results"]
        url = body["next"]
    return [
        f"/api/v1/{e['resource']}/{e['id']}/"
        for e in reversed(events)
        if e["event"] == "published" and e["state"] == "present"
    ]


def test_publications_feed(client_for, world):
    client = client_for("anonymous")
    entries = parse(client.get("/feeds/publications.atom"))
    expected = published_and_public(client)
    assert paths(entries) == expected
    assert path_of("test-notices", world["notice"]) == entries[1]["path"]  # newest first
    assert path_of("test-notices", world["other_notice"]) == entries[0]["path"]
    for gone in ("draft", "withheld", "withdrawn"):
        assert path_of("test-notices", world[gone]) not in paths(entries), gone
    titles = {entry["path"]: entry["title"] for entry in entries}
    assert titles[path_of("decisions", world["decision"])] == "公开的决策"
    assert titles[path_of("investment-projects", world["project"])] == "公开的项目"
    assert {
        "catalogues",
        "decisions",
        "consultations",
        "enforcement-actions",
        "investment-projects",
        "test-notices",
    } <= {category for entry in entries for category in entry["categories"]}
    assert "后来" not in client.get("/feeds/publications.atom").content.decode()


def test_entries_link_to_the_public_records(client_for, world):
    client = client_for("anonymous")
    entries = parse(client.get("/feeds/publications.atom"))
    entries += parse(client.get("/feeds/consultations-open.atom"))
    assert len(entries) == 10  # nine publications and one open consultation
    for entry in entries:
        response = client.get(entry["path"])
        assert response.status_code == 200, entry
        assert entry["title"] == (response.json().get("name") or entry["title"])


def test_an_entry_drops_out_when_its_record_stops_being_public(
    client_for, departments, users, world
):
    client = client_for("anonymous")
    record = world["notice"]
    assert path_of("test-notices", record) in paths(parse(client.get("/feeds/publications.atom")))
    amended = workflow.amend(record, acting_user=users["publisher"], reason="更正", name="更正后")
    entries = parse(client.get("/feeds/publications.atom"))
    mine = [e for e in entries if e["path"] == path_of("test-notices", record)]
    assert [e["title"] for e in mine] == ["更正后"]  # once, in its current state
    workflow.withdraw(amended, acting_user=users["publisher"], **WITHDRAWAL)
    for url in ("/feeds/publications.atom", "/feeds/departments/fgw.atom"):
        assert path_of("test-notices", record) not in paths(parse(client.get(url))), url

    penalty = world["penalty"]
    url = "/feeds/publications/enforcement.atom"
    assert path_of("enforcement-actions", penalty) in paths(parse(client.get(url)))
    workflow.amend(
        penalty,
        acting_user=users["publisher"],
        reason="依法不予公开",
        withheld_ground="third_party_rights",
        withheld_legal_basis="《政府信息公开条例》第十五条",
    )
    assert path_of("enforcement-actions", penalty) not in paths(parse(client.get(url)))


def test_the_latest_fifty_are_listed(client_for, departments, users, world):
    fgw, editor, publisher = departments["fgw"], users["editor"], users["publisher"]
    many = [notice(fgw, editor, publish_by=publisher, name=f"批量通知{i}") for i in range(51)]
    workflow.withdraw(many[-1], acting_user=publisher, **WITHDRAWAL)
    entries = parse(client_for("anonymous").get("/feeds/publications.atom"))
    # The withdrawn one is skipped and the feed still holds fifty entries.
    assert paths(entries) == [path_of("test-notices", n) for n in reversed(many[:-1])]


@pytest.mark.parametrize("registry", list(REGISTRIES))
def test_registry_feed_holds_only_its_resources(client_for, world, registry):
    client = client_for("anonymous")
    entries = parse(client.get(f"/feeds/publications/{registry}.atom"))
    assert {c for e in entries for c in e["categories"]} == REGISTRIES[registry]
    expected = [
        path for path in published_and_public(client) if path.split("/")[3] in REGISTRIES[registry]
    ]
    assert paths(entries) == expected


@pytest.mark.parametrize(
    "code, expected",
    [
        ("fgw", ["notice", "project", "penalty", "consultation", "decision"]),
        ("scjgj", ["other_notice"]),
        ("qzfb", ["catalogue"]),
    ],
)
def test_department_feed_holds_only_its_records(client_for, departments, world, code, expected):
    client = client_for("anonymous")
    entries = parse(client.get(f"/feeds/departments/{code}.atom"))
    prefixes = {
        "notice": "test-notices",
        "other_notice": "test-notices",
        "project": "investment-projects",
        "penalty": "enforcement-actions",
        "consultation": "consultations",
        "decision": "decisions",
        "catalogue": "catalogues",
    }
    wanted = [path_of(prefixes[name], world[name]) for name in expected]
    assert [p for p in paths(entries) if p in wanted] == wanted
    name = Department.objects.get(code=code).name_zh
    assert {entry["author"] for entry in entries} == {name}
    for entry in entries:
        assert client.get(entry["path"]).json()["department"] == code


def test_open_consultations_feed(client_for, departments, users, world):
    fgw, editor, publisher = departments["fgw"], users["editor"], users["publisher"]
    today = timezone.localdate()
    later = decision_builders.decision(
        fgw, editor, world["catalogue"], publisher=publisher, name="稍后征求意见的决策"
    )
    lifecycle.advance(later, "drafting", acting_user=publisher)
    future = decision_builders.consultation(
        later, editor, publisher=publisher, opens_on=today + datetime.timedelta(days=10)
    )
    draft = decision_builders.consultation(later, editor, name="未发布的征求意见")
    client = client_for("anonymous")
    entries = parse(client.get("/feeds/consultations-open.atom"))
    assert paths(entries) == [path_of("consultations", world["consultation"])]
    listed = client.get("/api/v1/consultations/?is_open=true").json()["results"]
    assert [path_of("consultations", world["consultation"])] == [
        f"/api/v1/consultations/{row['id']}/" for row in listed
    ]
    assert path_of("consultations", future) not in paths(entries)
    assert path_of("consultations", draft) not in paths(entries)
    assert entries[0]["title"] == world["consultation"].name


@pytest.mark.parametrize(
    "url",
    [
        "/feeds/publications/nope.atom",
        "/feeds/publications/auth.atom",  # an app, but no registry
        "/feeds/publications/registry.atom",
        "/feeds/departments/nope.atom",
        "/feeds/nope.atom",
        "/feeds/consultations.atom",
    ],
)
def test_unknown_feeds_are_404(client_for, world, url):
    assert client_for("anonymous").get(url).status_code == 404
