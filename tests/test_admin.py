"""The admin goes through the same permission path: a department's staff see their own
drafts and not another department's; department administrators manage their members only."""

import pytest
from django.contrib import admin as django_admin
from django.test import RequestFactory

from registry.admin import RestrictedAdmin
from tests.factories import notice
from tests.recordapp.models import Notice


@pytest.fixture
def notice_admin():
    return RestrictedAdmin(Notice, django_admin.site)


def _request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_admin_queryset_is_scoped(notice_admin, departments, users):
    own = notice(departments["fgw"], users["editor"])
    other = notice(departments["scjgj"], users["other_editor"])
    published_other = notice(
        departments["scjgj"], users["other_editor"], publish_by=users["other_publisher"]
    )
    visible = set(notice_admin.get_queryset(_request(users["editor"])).values_list("pk", flat=True))
    assert visible == {own.pk, published_other.pk}
    assert other.pk not in visible
    oversight = set(
        notice_admin.get_queryset(_request(users["oversight"])).values_list("pk", flat=True)
    )
    assert oversight == {own.pk, other.pk, published_other.pk}
    assert notice_admin.has_change_permission(_request(users["editor"]), own)
    assert not notice_admin.has_change_permission(_request(users["editor"]), published_other)
    assert not notice_admin.has_change_permission(_request(users["oversight"]), own)


def test_department_admin_manages_own_members_only(client, users, departments):
    client.force_login(users["department_admin"])
    own = client.get(f"/admin/registry/department/{departments['fgw'].pk}/change/")
    assert own.status_code == 200
    assert "角色授权" in own.content.decode()
    other = client.get(f"/admin/registry/department/{departments['scjgj'].pk}/change/")
    assert "角色授权" not in other.content.decode()


def test_audit_log_is_read_only_in_admin(client, users, departments):
    notice(departments["fgw"], users["editor"])
    client.force_login(users["superuser"])
    assert client.get("/admin/registry/auditentry/").status_code == 200
    assert client.get("/admin/registry/auditentry/add/").status_code == 403
