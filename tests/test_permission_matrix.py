"""The permission matrix of a record resource, pinned with the test-only ``Notice`` record:
who may read drafts, write, publish and withdraw."""

import pytest

from tests.factories import notice

URL = "/api/v1/test-notices/"

# expected status per role; the record belongs to department ``fgw``.
READ_DRAFT = {
    "anonymous": 404,
    "editor": 200,
    "publisher": 200,
    "department_admin": 200,
    "other_editor": 404,
    "other_publisher": 404,
    "oversight": 200,
    "legality_reviewer": 404,
    "superuser": 200,
}
EDIT_DRAFT = {
    "anonymous": 401,
    "editor": 200,
    "publisher": 403,
    "department_admin": 403,
    "other_editor": 404,
    "other_publisher": 404,
    "oversight": 403,
    "legality_reviewer": 404,
    "superuser": 200,
}
EDIT_PUBLISHED = {  # visible to everyone, so outsiders get 403, members 400 (use amend)
    "anonymous": 401,
    "editor": 400,
    "publisher": 403,
    "department_admin": 403,
    "other_editor": 403,
    "other_publisher": 403,
    "oversight": 403,
    "legality_reviewer": 403,
    "superuser": 400,
}
CREATE = {
    "anonymous": 401,
    "editor": 201,
    "publisher": 403,
    "department_admin": 403,
    "other_editor": 403,
    "other_publisher": 403,
    "oversight": 403,
    "legality_reviewer": 403,
    "superuser": 201,
}
PUBLISH_DRAFT = {
    "anonymous": 401,
    "editor": 403,
    "publisher": 200,
    "department_admin": 403,
    "other_editor": 404,
    "other_publisher": 404,
    "oversight": 403,
    "legality_reviewer": 404,
    "superuser": 200,
}
WITHDRAW_PUBLISHED = {
    "anonymous": 401,
    "editor": 403,
    "publisher": 200,
    "department_admin": 403,
    "other_editor": 403,
    "other_publisher": 403,
    "oversight": 403,
    "legality_reviewer": 403,
    "superuser": 200,
}
ROLES = list(READ_DRAFT)


@pytest.fixture
def draft(departments, users):
    return notice(departments["fgw"], users["editor"])


@pytest.fixture
def published(departments, users):
    return notice(departments["fgw"], users["editor"], publish_by=users["publisher"])


@pytest.mark.parametrize("role", ROLES)
def test_read_draft(role, client_for, draft):
    response = client_for(role).get(f"{URL}{draft.pk}/")
    assert response.status_code == READ_DRAFT[role], response.content
    listed = [r["id"] for r in client_for(role).get(URL).json()["results"]]
    assert (draft.pk in listed) == (READ_DRAFT[role] == 200)


@pytest.mark.parametrize("role", ROLES)
def test_published_is_public(role, client_for, published):
    assert client_for(role).get(f"{URL}{published.pk}/").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_edit_draft(role, client_for, draft):
    response = client_for(role).patch(f"{URL}{draft.pk}/", {"summary": "改"}, format="json")
    assert response.status_code == EDIT_DRAFT[role], response.content
    draft.refresh_from_db()
    assert (draft.summary == "改") == (EDIT_DRAFT[role] == 200)


@pytest.mark.parametrize("role", ROLES)
def test_edit_published(role, client_for, published):
    response = client_for(role).patch(f"{URL}{published.pk}/", {"summary": "改"}, format="json")
    assert response.status_code == EDIT_PUBLISHED[role], response.content


@pytest.mark.parametrize("role", ROLES)
def test_create(role, client_for, departments):
    body = {"department": "fgw", "name": "通知", "date_made": "2026-11-02"}
    response = client_for(role).post(URL, body, format="json")
    assert response.status_code == CREATE[role], response.content
    if response.status_code == 201:
        assert response.json()["status"] == "draft"
        assert response.json()["index_number"] == "fgw/2026-00001"


@pytest.mark.parametrize("role", ROLES)
def test_publish_draft(role, client_for, draft):
    response = client_for(role).post(f"{URL}{draft.pk}/publish/")
    assert response.status_code == PUBLISH_DRAFT[role], response.content
    draft.refresh_from_db()
    assert (draft.status == "published") == (PUBLISH_DRAFT[role] == 200)


@pytest.mark.parametrize("role", ROLES)
def test_withdraw_published(role, client_for, published):
    body = {"reason": "决定已被撤销", "legal_basis": "《行政处罚法》第八十五条"}
    response = client_for(role).post(f"{URL}{published.pk}/withdraw/", body, format="json")
    assert response.status_code == WITHDRAW_PUBLISHED[role], response.content
    published.refresh_from_db()
    assert (published.status == "withdrawn") == (WITHDRAW_PUBLISHED[role] == 200)
