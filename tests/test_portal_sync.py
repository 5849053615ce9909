"""The reference portal client (examples/portal_sync.py) against a live server: after edits,
amendments, withdrawals, expiry, the passing of time and writes that race with a sync, its
SQLite mirror equals what the public API shows — every resource, every row, every field."""

import datetime
import importlib
import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from registry import changes
from registry.api.router import resources
from registry.demo import as_of
from tests.world import api_client, tokens_for

CLIENT = Path(__file__).resolve().parent.parent / "examples" / "portal_sync.py"

pytestmark = pytest.mark.django_db(transaction=True)

# Migrations that seed reference data (calendar, deadline rules, thresholds): a transactional
# test starts from a flushed database, so the demo fixture seeds again.
SEEDING_MIGRATIONS = [
    ("registry.migrations.0002_audit_append_only_and_seed", ("seed_calendar", "seed_rules")),
    ("decisions.migrations.0002_deadline_rules", ("seed",)),
    ("enforcement.migrations.0002_rules", ("seed",)),
    ("fiscal.migrations.0002_thresholds", ("seed",)),
]


def seed_reference_data():
    from django.apps import apps

    from registry.models import DeadlineRule

    if DeadlineRule.objects.exists():
        return
    for module, functions in SEEDING_MIGRATIONS:
        migration = importlib.import_module(module)
        for name in functions:
            getattr(migration, name)(apps, None)


def sync(server, mirror, *options):
    """Run the client as a portal would: a separate process over HTTP."""
    done = subprocess.run(
        [sys.executable, str(CLIENT), "--base-url", server.url, "--db", str(mirror), *options],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def public_api_state():
    """Every row of every public list endpoint, as the anonymous public sees it."""
    client, state = api_client(), {}
    for prefix, _viewset in resources():
        url, rows = f"/api/v1/{prefix}/?page_size=500", {}
        while url:
            body = client.get(url).json()
            for row in body["results"]:
                rows[row["code"] if prefix == "departments" else row["id"]] = row
            url = body["next"]
        state[prefix] = rows
    return state


def mirror_state(mirror):
    db = sqlite3.connect(mirror)
    state = {prefix: {} for prefix, _viewset in resources()}
    for code, data in db.execute("SELECT code, data FROM departments"):
        state["departments"][code] = json.loads(data)
    for resource, record_id, data in db.execute("SELECT resource, id, data FROM records"):
        state[resource][record_id] = json.loads(data)
    tombstones = {
        (resource, record_id): json.loads(data)
        for resource, record_id, data in db.execute("SELECT resource, id, data FROM tombstones")
    }
    return state, tombstones


def assert_mirror_equals_api(mirror):
    expected = public_api_state()
    state, tombstones = mirror_state(mirror)
    for prefix in expected:
        missing = expected[prefix].keys() - state[prefix].keys()
        extra = state[prefix].keys() - expected[prefix].keys()
        assert not missing and not extra, (prefix, sorted(missing), sorted(extra))
        for key, row in expected[prefix].items():
            assert state[prefix][key] == row, (prefix, key)
    client = api_client()
    for (resource, record_id), tombstone in tombstones.items():
        gone = client.get(f"/api/v1/{resource}/{record_id}/")
        assert gone.status_code == 410, (resource, record_id)
        assert gone.json()["tombstone"] == tombstone
    return sum(len(rows) for rows in expected.values()), len(tombstones)


@pytest.fixture
def demo_world():
    seed_reference_data()
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from django.contrib.auth import get_user_model

    users = {u.username: u for u in get_user_model().objects.all()}
    return users, tokens_for(users)


def _client(tokens, username):
    return api_client(tokens[username])


def test_mirror_follows_edits_amendments_withdrawals_expiry_and_time(
    live_server, demo_world, tmp_path
):
    from decisions.models import Decision
    from enforcement.models import EnforcementAction

    users, tokens = demo_world
    mirror = tmp_path / "mirror.sqlite3"
    sync(live_server, mirror)
    rows, _ = assert_mirror_equals_api(mirror)
    assert rows > 300

    # Amend a published decision, withdraw a published penalty, publish a draft.
    decision = Decision.objects.public().order_by("pk").first()
    amended = _client(tokens, "admin").post(
        f"/api/v1/decisions/{decision.pk}/amend/",
        {"summary": "更正后的概述", "reason": "更正笔误"},
        format="json",
    )
    assert amended.status_code == 200, amended.content
    penalty = EnforcementAction.objects.public().filter(kind="penalty").order_by("pk").first()
    withdrawn = _client(tokens, "admin").post(
        f"/api/v1/enforcement-actions/{penalty.pk}/withdraw/",
        {
            "trigger": "revoked",
            "trigger_date": timezone.localdate().isoformat(),
            "reason": "复议决定撤销原处罚决定",
            "legal_basis": "《行政处罚法》第四十八条",
        },
        format="json",
    )
    assert withdrawn.status_code == 200, withdrawn.content
    admin = _client(tokens, "admin")
    draft = admin.post(
        "/api/v1/test-notices/",
        {"department": "fgw", "name": "草稿", "date_made": "2026-11-02"},
        format="json",
    ).json()
    edited = admin.patch(f"/api/v1/test-notices/{draft['id']}/", {"name": "修改后"}, format="json")
    assert edited.status_code == 200, edited.content
    assert admin.post(f"/api/v1/test-notices/{draft['id']}/publish/").status_code == 200

    # Let a display period end: the record leaves the public lists, the feed says so.
    expiring = (
        EnforcementAction.objects.public()
        .exclude(pk=penalty.pk)
        .filter(display_until__isnull=False)
        .order_by("pk")
        .first()
    )
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    EnforcementAction.objects.filter(pk=expiring.pk).update(display_until=yesterday)
    assert changes.emit_expiry_events() >= 1

    sync(live_server, mirror)
    rows, tombstones = assert_mirror_equals_api(mirror)
    state, _ = mirror_state(mirror)
    assert state["decisions"][decision.pk]["summary"] == "更正后的概述"
    assert state["test-notices"][draft["id"]]["name"] == "修改后"
    assert penalty.pk not in state["enforcement-actions"] and tombstones >= 1
    assert expiring.pk not in state["enforcement-actions"]

    # A second mirror bootstrapped from the snapshot converges to the same state.
    call_command("build_snapshot", stdout=open("/dev/null", "w"))  # noqa: SIM115
    second = tmp_path / "from-snapshot.sqlite3"
    assert "bootstrapped from the snapshot" in sync(live_server, second, "--bootstrap", "snapshot")
    assert mirror_state(second)[0] == mirror_state(mirror)[0]

    # Time passes. Some public content changes only because a date does (a consultation
    # opens or closes, pre-published drafts become public, a bond's disclosure falls due, a
    # display period ends and takes a tombstone with it): the daily refresh announces it.
    for days in (20, 45, 240):
        with as_of(timezone.localdate() + datetime.timedelta(days=days)):
            call_command("refresh_public_states", stdout=open("/dev/null", "w"))  # noqa: SIM115
            sync(live_server, mirror)
            assert_mirror_equals_api(mirror)


def test_mirror_is_exact_after_writes_race_with_a_sync(
    live_server, departments, users, client_for, tmp_path
):
    """Writers publish and amend while the client pages through the feed; one more run
    afterwards leaves the mirror equal to the API — nothing skipped, nothing stale."""
    from tests.factories import notice
    from tests.recordapp.models import Notice

    for number in range(150):  # a feed long enough for the writes to land mid-sync
        notice(departments["fgw"], users["editor"], publish_by=users["publisher"], name=str(number))
    mirror = tmp_path / "mirror.sqlite3"
    editor, publisher = client_for("editor"), client_for("publisher")

    def writer():
        try:
            for number in range(12):
                created = editor.post(
                    "/api/v1/test-notices/",
                    {"department": "fgw", "name": f"并发公告 {number}", "date_made": "2026-11-02"},
                    format="json",
                ).json()
                publisher.post(f"/api/v1/test-notices/{created['id']}/publish/")
                if number % 3 == 0:
                    publisher.post(
                        f"/api/v1/test-notices/{created['id']}/amend/",
                        {"summary": "更正", "reason": "更正"},
                        format="json",
                    )
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    runs_while_writing = 0
    while thread.is_alive():  # sync again and again while the writer is at work
        sync(live_server, mirror, "--page-size", "3")  # small pages: many round trips
        runs_while_writing += 1
    thread.join()
    assert runs_while_writing >= 1  # at least one sync started while writes were happening
    sync(live_server, mirror, "--page-size", "3")
    assert_mirror_equals_api(mirror)
    state, _ = mirror_state(mirror)
    published = Notice.objects.filter(status="published").count()
    assert len(state["test-notices"]) == published == 162
    amended = state["test-notices"].values()
    assert sum(1 for row in amended if row["summary"] == "更正") == 4
