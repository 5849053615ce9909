"""Operator commands: grant_role, load_demo."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from registry.choices import Action
from registry.models import AuditEntry, Department
from registry.permissions import can

pytestmark = pytest.mark.django_db


def test_grant_role_creates_user_with_password_from_environment(departments, monkeypatch):
    monkeypatch.setenv("REGISTRY_PASSWORD", "s3cret-pass")
    call_command("grant_role", "clerk", "editor", "fgw", "--create")
    user = get_user_model().objects.get(username="clerk")
    assert user.check_password("s3cret-pass") and user.is_staff
    assert can(user, Action.CHANGE, departments["fgw"])
    assert not can(user, Action.CHANGE, departments["scjgj"])
    assert not can(user, Action.PUBLISH, departments["fgw"])
    assert AuditEntry.objects.filter(action="role_granted", object_id=user.pk).exists()


def test_grant_district_role(departments, django_user_model):
    user = django_user_model.objects.create_user("watcher", password="x")
    call_command("grant_role", "watcher", "oversight")
    user = django_user_model.objects.get(pk=user.pk)  # fresh permission cache
    assert user.has_perm("registry.oversee_all")


@pytest.mark.parametrize(
    "args, message",
    [
        (["nobody", "editor", "fgw"], "no user"),
        (["someone", "editor"], "needs a DEPARTMENT_CODE"),
        (["someone", "editor", "nope"], "no department"),
        (["someone", "oversight", "fgw"], "district-wide"),
    ],
)
def test_grant_role_errors(departments, django_user_model, args, message):
    django_user_model.objects.create_user("someone", password="x")
    with pytest.raises(CommandError, match=message):
        call_command("grant_role", *args)


def test_load_demo_is_idempotent(capsys):
    call_command("load_demo")
    first = (Department.objects.count(), get_user_model().objects.count())
    call_command("load_demo")
    assert (Department.objects.count(), get_user_model().objects.count()) == first
    assert Department.objects.filter(name_zh="区网信办").exists()
    assert first[0] >= 25
    publisher = get_user_model().objects.get(username="fgw_publisher")
    assert can(publisher, Action.PUBLISH, Department.objects.get(code="fgw"))
    call_command("verify_audit")


def test_prepare_collects_static_files_only_when_they_changed(settings, tmp_path):
    import os
    import time

    from registry.management.commands.prepare import MANIFEST, static_files_changed

    settings.STATIC_ROOT = tmp_path
    assert static_files_changed()  # nothing collected yet
    manifest = tmp_path / MANIFEST
    manifest.write_text("{}")
    assert not static_files_changed()  # collected after every source file was written
    os.utime(manifest, (0, 0))
    assert static_files_changed()  # a source file is newer than the collection
    os.utime(manifest, (time.time(), time.time()))
    assert not static_files_changed()


def test_the_wsgi_application_builds_the_url_index_before_the_first_request():
    import importlib

    from django.urls import clear_url_caches, get_resolver

    import registry.wsgi

    clear_url_caches()
    assert not get_resolver()._populated
    importlib.reload(registry.wsgi)
    assert get_resolver()._populated
