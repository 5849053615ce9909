"""``make backup`` / ``make restore`` (``manage.py backup`` / ``restore``): a dump of the
database restores the registry as it was, audit chain included, and a restore whose chain
does not verify fails. Committed data (pg_dump reads what other sessions see), so these
tests run outside the usual per-test transaction."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from registry.audit import verify_chain
from registry.choices import RecordStatus
from registry.models import AuditEntry
from tests.factories import notice
from tests.recordapp.models import Notice

pytestmark = pytest.mark.django_db(transaction=True)


def chain_head():
    return AuditEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()


def test_a_backup_restores_the_registry_and_its_audit_chain(departments, users, tmp_path, capsys):
    kept = notice(departments["fgw"], users["editor"], publish_by=users["publisher"])
    head, records = chain_head(), Notice.objects.count()
    path = tmp_path / "registry.dump"
    call_command("backup", output=str(path))
    assert path.stat().st_size > 0 and "backup written" in capsys.readouterr().out
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", output=str(path))
    # Work done after the backup is what a restore takes back.
    later = notice(departments["fgw"], users["editor"])
    Notice.objects.filter(pk=kept.pk).update(name="改动")
    call_command("restore", str(path))
    assert f"audit chain intact: {head[0]} entries" in capsys.readouterr().out
    assert chain_head() == head and verify_chain() is None
    assert Notice.objects.count() == records and not Notice.objects.filter(pk=later.pk).exists()
    restored = Notice.objects.get(pk=kept.pk)
    assert restored.status == RecordStatus.PUBLISHED and restored.name == kept.name
    # The registry goes on writing where the restored chain ends.
    notice(departments["fgw"], users["editor"])
    assert chain_head()[0] > head[0] and verify_chain() is None


def test_a_restore_whose_audit_chain_is_broken_fails(departments, users, tmp_path):
    notice(departments["fgw"], users["editor"], publish_by=users["publisher"])
    with connection.cursor() as cursor:  # as a forger with the superuser's rights would
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("UPDATE registry_auditentry SET reason = 'forged' WHERE seq = 1")
        cursor.execute("SET session_replication_role = DEFAULT")
    path = tmp_path / "forged.dump"
    call_command("backup", output=str(path))
    with pytest.raises(CommandError, match="#1.*altered"):
        call_command("restore", str(path))


def test_restoring_a_missing_file_changes_nothing(departments, tmp_path):
    with pytest.raises(CommandError, match="no such backup"):
        call_command("restore", str(tmp_path / "nothing.dump"))
    assert verify_chain() is None
