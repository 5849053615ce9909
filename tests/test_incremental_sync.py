"""Incremental sync with updated_since / updated_before: oldest change first by
(updated_at, id), and a row changed while a client pages is seen again, never skipped."""

import datetime
from urllib.parse import quote

from django.utils import timezone

from registry.services import workflow
from tests.factories import notice

URL = "/api/v1/test-notices/"


def _walk(client, url):
    seen = []
    while url:
        page = client.get(url)
        assert page.status_code == 200, page.content
        seen += [(r["id"], r["updated_at"]) for r in page.json()["results"]]
        url = page.json()["next"]
    return seen


def test_updated_since_pages_oldest_first(client_for, departments, users):
    start = timezone.now() - datetime.timedelta(seconds=1)
    records = [
        notice(departments["fgw"], users["editor"], publish_by=users["publisher"]) for _ in range(5)
    ]
    client = client_for("anonymous")
    since = start.isoformat().replace("+00:00", "Z")
    seen = _walk(client, f"{URL}?updated_since={since}&page_size=2")
    assert [i for i, _ in seen] == [r.pk for r in records]
    assert [u for _, u in seen] == sorted(u for _, u in seen)
    until = quote(client.get(f"{URL}{records[2].pk}/").json()["updated_at"])
    before = [i for i, _ in _walk(client, f"{URL}?updated_before={until}&page_size=2")]
    assert before == [r.pk for r in records[:2]]


def test_a_row_changed_while_paging_is_not_skipped(client_for, departments, users):
    start = timezone.now() - datetime.timedelta(seconds=1)
    records = [
        notice(departments["fgw"], users["editor"], publish_by=users["publisher"]) for _ in range(4)
    ]
    client = client_for("anonymous")
    first = client.get(f"{URL}?updated_since={quote(start.isoformat())}&page_size=2")
    ids = [r["id"] for r in first.json()["results"]]
    workflow.amend(records[0], acting_user=users["publisher"], reason="更正", summary="改")
    rest = _walk(client, first.json()["next"])
    ids += [i for i, _ in rest]
    assert set(ids) == {r.pk for r in records}
    assert ids[-1] == records[0].pk  # the changed row comes again, at the end


def test_bad_timestamp_is_400(client_for, departments):
    response = client_for("anonymous").get(f"{URL}?updated_since=yesterday")
    assert response.status_code == 400 and "updated_since" in response.json()["errors"]
