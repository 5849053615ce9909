"""The hash-chained audit log: every change is logged with its request id, and
``verify_audit`` names the first entry that was altered or removed by hand in SQL."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from registry.models import AuditEntry
from tests.factories import notice


@pytest.fixture
def chain(departments, users):
    for _ in range(3):
        notice(departments["fgw"], users["editor"], publish_by=users["publisher"])
    return list(AuditEntry.objects.order_by("seq"))


def _tamper(sql, params):
    with connection.cursor() as cursor:
        # A superuser can switch triggers off for the session, as a forger would.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET session_replication_role = DEFAULT")


def test_intact_chain_verifies(chain, capsys):
    call_command("verify_audit")
    assert f"{len(chain)} entries" in capsys.readouterr().out


def test_changed_row_is_caught(chain):
    target = chain[4]
    _tamper("UPDATE registry_auditentry SET reason = 'forged' WHERE seq = %s", [target.seq])
    with pytest.raises(CommandError, match=f"#{target.seq}.*altered"):
        call_command("verify_audit")


def test_changed_json_is_caught(chain):
    target = chain[2]
    _tamper(
        "UPDATE registry_auditentry SET after = jsonb_set(after, '{name}', '\"forged\"') "
        "WHERE seq = %s",
        [target.seq],
    )
    with pytest.raises(CommandError, match=f"#{target.seq}"):
        call_command("verify_audit")


def test_removed_row_is_caught(chain):
    target = chain[3]
    _tamper("DELETE FROM registry_auditentry WHERE seq = %s", [target.seq])
    with pytest.raises(CommandError, match=f"#{target.seq} is missing"):
        call_command("verify_audit")


def test_rehashed_row_breaks_the_next_link(chain):
    """Recomputing a forged row's own hash does not help: the next entry points at the old one."""
    target = AuditEntry.objects.get(seq=chain[1].seq)
    target.reason = "forged"
    forged_hash = target.compute_hash()
    _tamper(
        "UPDATE registry_auditentry SET reason = 'forged', entry_hash = %s WHERE seq = %s",
        [forged_hash, target.seq],
    )
    with pytest.raises(CommandError, match=f"#{chain[2].seq}.*previous-hash"):
        call_command("verify_audit")


def test_database_refuses_update_and_delete(chain):
    for sql in ("UPDATE registry_auditentry SET reason = 'x'", "DELETE FROM registry_auditentry"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)


def test_entries_carry_actor_department_and_request_id(client_for, departments):
    response = client_for("editor").post(
        "/api/v1/test-notices/",
        {"department": "fgw", "name": "通知", "date_made": "2026-11-02"},
        format="json",
        HTTP_X_REQUEST_ID="req-12345678",
    )
    assert response["X-Request-ID"] == "req-12345678"
    entry = AuditEntry.objects.get(action="created", object_id=response.json()["id"])
    assert (entry.actor_username, entry.department.code, entry.request_id) == (
        "editor",
        "fgw",
        "req-12345678",
    )
    assert entry.after["name"] == "通知"


def test_entries_written_in_another_time_zone_verify(departments, users):
    """Entries whose timestamps were made in Asia/Shanghai (e.g. demo history) still verify:
    the hash covers the instant, not its textual offset."""
    import datetime

    from registry.demo import as_of

    with as_of(datetime.date(2025, 3, 1)):
        notice(departments["fgw"], users["editor"], publish_by=users["publisher"])
    call_command("verify_audit")
