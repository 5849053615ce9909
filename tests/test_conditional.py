"""Conditional requests: ETag and Last-Modified on GETs with 304 answers, If-Match on
writes with 412 for a stale version, even when two writers race."""

import threading

import pytest
from django.db import connection

from tests.factories import notice

URL = "/api/v1/test-notices/"


@pytest.fixture
def draft(departments, users):
    return notice(departments["fgw"], users["editor"])


def test_detail_validators_and_304(client_for, departments, users):
    record = notice(departments["fgw"], users["editor"], publish_by=users["publisher"])
    client = client_for("anonymous")
    first = client.get(f"{URL}{record.pk}/")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.endswith('-public"') and modified
    assert client.get(f"{URL}{record.pk}/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(f"{URL}{record.pk}/", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    staff = client_for("editor").get(f"{URL}{record.pk}/")
    assert staff["ETag"] != etag  # the full view is another representation
    client_for("publisher").post(
        f"{URL}{record.pk}/amend/", {"summary": "新", "reason": "更正"}, format="json"
    )
    changed = client.get(f"{URL}{record.pk}/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_list_validators_and_304(client_for, departments, users):
    notice(departments["fgw"], users["editor"], publish_by=users["publisher"])
    client = client_for("anonymous")
    first = client.get(URL)
    assert first["ETag"] and first["Last-Modified"]
    assert client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    departments_page = client.get("/api/v1/departments/")
    assert departments_page.status_code == 200, departments_page.content
    assert departments_page["ETag"], dict(departments_page.headers)


def test_stale_if_match_is_412_and_nothing_is_lost(client_for, draft):
    editor = client_for("editor")
    etag = editor.get(f"{URL}{draft.pk}/")["ETag"]
    first = editor.patch(f"{URL}{draft.pk}/", {"summary": "甲"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200 and first["ETag"] != etag
    second = editor.patch(f"{URL}{draft.pk}/", {"summary": "乙"}, format="json", HTTP_IF_MATCH=etag)
    assert second.status_code == 412
    assert "If-Match" in second.json()["detail"]
    draft.refresh_from_db()
    assert draft.summary == "甲"
    assert (
        editor.patch(
            f"{URL}{draft.pk}/", {"summary": "丙"}, format="json", HTTP_IF_MATCH=first["ETag"]
        ).status_code
        == 200
    )
    assert (
        editor.patch(
            f"{URL}{draft.pk}/", {"summary": "丁"}, format="json", HTTP_IF_MATCH="*"
        ).status_code
        == 200
    )
    stale_publish = client_for("publisher").post(f"{URL}{draft.pk}/publish/", HTTP_IF_MATCH=etag)
    assert stale_publish.status_code == 412


@pytest.mark.django_db(transaction=True)
def test_two_racing_writers_one_wins(client_for, departments, users):
    record = notice(departments["fgw"], users["editor"])
    etag = client_for("editor").get(f"{URL}{record.pk}/")["ETag"]
    statuses, barrier = [], threading.Barrier(2)

    def write(text):
        try:
            client = client_for("editor")
            barrier.wait()
            response = client.patch(
                f"{URL}{record.pk}/", {"summary": text}, format="json", HTTP_IF_MATCH=etag
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(text,)) for text in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 412]
    record.refresh_from_db()
    assert record.summary in ("甲", "乙")
