"""State changes raced by two clients at once: a double publish and a double withdraw each
take effect once: both are answered 200, and there is one audit entry (the change feed's one
event)."""

import threading

import pytest
from django.db import connection

from registry.choices import AuditAction, RecordStatus
from registry.models import AuditEntry
from tests.factories import notice
from tests.recordapp.models import Notice

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/test-notices/"
WITHDRAWAL = {"reason": "依法撤回", "legal_basis": "《政府信息公开条例》第二十六条"}


def race(client_for, role, url, body=None, clients=2):
    """POST ``url`` from ``clients`` threads released together; their status codes."""
    statuses, barrier = [], threading.Barrier(clients)

    def post():
        try:
            client = client_for(role)
            barrier.wait()
            statuses.append(client.post(url, body or {}, format="json").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


def entries(record, action):
    return AuditEntry.objects.filter(
        content_type__model="notice", object_id=record.pk, action=action
    ).count()


def test_a_double_publish_publishes_once(client_for, departments, users):
    draft = notice(departments["fgw"], users["editor"])
    assert race(client_for, "publisher", f"{URL}{draft.pk}/publish/") == [200, 200]
    draft.refresh_from_db()
    assert draft.status == RecordStatus.PUBLISHED
    assert entries(draft, AuditAction.PUBLISHED) == 1


def test_a_double_withdraw_withdraws_once(client_for, departments, users):
    published = notice(departments["fgw"], users["editor"], publish_by=users["publisher"])
    url = f"{URL}{published.pk}/withdraw/"
    assert race(client_for, "publisher", url, WITHDRAWAL) == [200, 200]
    published = Notice.objects.get(pk=published.pk)
    assert published.status == RecordStatus.WITHDRAWN
    assert entries(published, AuditAction.WITHDRAWN) == 1
