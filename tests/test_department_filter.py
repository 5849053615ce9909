"""The ``department`` filter of every list: codes are checked (an unknown one is a 400, not
an empty list), and a member's list of its own department is its rows, drafts included,
without the public condition (``restrict``'s ``departments`` hint)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from registry.api.authentication import read_token
from registry.api.filters import DEPARTMENT_CODES
from registry.models import Department
from registry.permissions import known_scope, restrict
from tests.factories import notice
from tests.recordapp.models import Notice

pytestmark = pytest.mark.django_db

LIST = "/api/v1/test-notices/"


@pytest.fixture
def notices(departments, users):
    """A published notice and a draft of each department."""
    made = {}
    for code, editor in (("fgw", "editor"), ("scjgj", "other_editor")):
        made[code, "published"] = notice(
            departments[code], users[editor], publish_by=users["superuser"]
        )
        made[code, "draft"] = notice(departments[code], users[editor])
    return made


def listed(client, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, params)
    assert response.status_code == 200, response.content
    page = [q["sql"] for q in queries.captured_queries if "recordapp_notice" in q["sql"]]
    return {row["id"] for row in response.json()["results"]}, page


def test_a_members_own_department_is_its_rows_without_the_public_condition(client_for, notices):
    client = client_for("editor")
    client.get(LIST, {"department": "fgw"})  # prepares the list
    ids, [sql] = listed(client, department="fgw")
    assert ids == {notices["fgw", "published"].pk, notices["fgw", "draft"].pk}
    assert "'published'" not in sql and "objectpermission" not in sql
    # Another department: its public rows, through the public condition.
    ids, [sql] = listed(client, department="scjgj")
    assert ids == {notices["scjgj", "published"].pk}
    assert "'published'" in sql
    # The public, for the same department: its public rows only.
    ids, [sql] = listed(client_for("anonymous"), department="fgw")
    assert ids == {notices["fgw", "published"].pk}


def test_the_hint_is_checked_against_the_readers_departments(client_for, users, notices):
    """``restrict`` narrows to the hinted departments only when the reader sees them in
    full as read with its token; otherwise the hint changes nothing."""
    scjgj = Department.objects.get(code="scjgj")
    draft = notices["scjgj", "draft"].pk
    everyone = Notice.objects.all()
    # Read without a token: no departments known, the hint is not taken.
    editor = users["editor"]
    assert draft not in restrict(everyone, editor, departments=[scjgj.pk]).values_list(
        "pk", flat=True
    )
    assert draft not in restrict(everyone, AnonymousUser(), departments=[scjgj.pk]).values_list(
        "pk", flat=True
    )
    # Read with its token (departments known: fgw), hinting a department not its own.
    token = Token.objects.get_or_create(user=editor)[0]
    member = read_token(RequestFactory().get(LIST), token.key).user
    assert known_scope(member) == {Department.objects.get(code="fgw").pk}
    assert draft not in restrict(everyone, member, departments=[scjgj.pk]).values_list(
        "pk", flat=True
    )
    # Through the API, with a token: asking for another department's rows shows no draft.
    ids, _sql = listed(client_for("editor"), department="scjgj")
    assert draft not in ids


def test_a_session_user_lists_correctly_without_the_hint(users, notices):
    client = APIClient()
    client.force_authenticate(users["editor"])
    ids, [sql] = listed(client, department="fgw")
    assert ids == {notices["fgw", "published"].pk, notices["fgw", "draft"].pk}
    assert "objectpermission" in sql  # the permission path's subquery


def test_department_codes_are_read_again_when_one_is_not_known(client_for, departments):
    client = client_for("anonymous")
    assert client.get(LIST, {"department": "fgw"}).status_code == 200
    response = client.get(LIST, {"department": "new-office"})
    assert response.status_code == 400
    assert "new-office" in response.json()["errors"]["department"][0]
    # Created here: a signal makes the codes be read again.
    Department.objects.create(code="new-office", name_zh="新设办公室", kind="department")
    assert client.get(LIST, {"department": "new-office"}).status_code == 200
    # Renamed elsewhere (no signal in this process): an unknown code reads them again.
    Department.objects.filter(code="new-office").update(code="renamed-office")
    assert client.get(LIST, {"department": "renamed-office"}).status_code == 200
    # The old code, once the codes are read again (a minute at most; a list already
    # prepared for it keeps its answer, an empty one, for the day).
    DEPARTMENT_CODES.forget()
    assert client.get(LIST, {"department": "new-office", "status": "draft"}).status_code == 400


def test_an_unknown_parent_department_is_a_400(client_for, departments):
    response = client_for("anonymous").get("/api/v1/departments/", {"parent": "nope"})
    assert response.status_code == 400
    assert "parent" in response.json()["errors"]
