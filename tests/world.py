"""The people every test suite works with, and module-scoped data "worlds".

Two departments (``fgw`` owns the records under test, ``scjgj`` is "another department") and
one user per role. Suites that build much data once per module use :func:`module_world`:
the data is built inside an outer transaction, each test runs in a savepoint rolled back
after it, and the whole module's data is rolled back at the end."""

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

DEPARTMENTS = {
    "fgw": ("区发展改革委", "District Development and Reform Commission"),
    "scjgj": ("区市场监管局", "District Market Regulation Bureau"),
}
# user name -> (role, department code or None for district-wide roles)
PEOPLE = {
    "editor": ("editor", "fgw"),
    "publisher": ("publisher", "fgw"),
    "department_admin": ("department_admin", "fgw"),
    "other_editor": ("editor", "scjgj"),
    "other_publisher": ("publisher", "scjgj"),
    "oversight": ("oversight", None),
    "legality_reviewer": ("legality_reviewer", None),
}


def create_departments():
    from registry.models import Department

    return {
        code: Department.objects.create(code=code, name_zh=zh, name_en=en, kind="department")
        for code, (zh, en) in DEPARTMENTS.items()
    }


def create_user(name, *grants, **extra):
    """A user with password ``pw-<name>`` holding ``grants`` ((role, department) pairs)."""
    from registry.services.roles import grant_role

    user = get_user_model().objects.create_user(name, password="pw-" + name, **extra)
    for role, department in grants:
        grant_role(user, role, department)
    return user


def create_people(departments):
    users = {
        name: create_user(name, (role, departments.get(code)))
        for name, (role, code) in PEOPLE.items()
    }
    users["superuser"] = create_user("superuser", is_superuser=True, is_staff=True)
    return users


def tokens_for(users):
    return {name: Token.objects.get_or_create(user=user)[0].key for name, user in users.items()}


def api_client(token=None):
    """An API client, authenticated with ``token`` when given."""
    client = APIClient()
    if token:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def people_world():
    """The start of a module world: the two departments ``fgw`` and ``scjgj``, one user per
    role (``w.users``) and their tokens (``w.tokens``)."""
    from types import SimpleNamespace

    departments = create_departments()
    users = create_people(departments)
    return SimpleNamespace(
        fgw=departments["fgw"], scjgj=departments["scjgj"], users=users, tokens=tokens_for(users)
    )


def module_world(build):
    """A module-scoped fixture named ``world`` holding what ``build()`` returns."""

    @pytest.fixture(scope="module")
    def world(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock(), transaction.atomic():
            yield build()
            transaction.set_rollback(True)

    return world


def demo_data_world():
    """A module-scoped fixture named ``world`` holding the demo data set (``load_demo``)."""
    from django.core.management import call_command

    return module_world(lambda: call_command("load_demo"))


def crawl_change_feed(get, page_size=100):
    """Follow the public change feed to its end with ``get(url) -> response``."""
    url = f"/api/v1/changes/?page_size={page_size}"
    while True:
        body = get(url).json()
        if not body["results"]:
            return
        url = body["next"]


def feed_urls():
    """Every Atom feed: all publications, each registry's, each department's and every list
    feed a registry declared."""
    from django.apps import apps

    from registry import changes, feeds
    from registry.models import Department

    registries = [c.label for c in apps.get_app_configs() if changes.resource_types(c.label)]
    codes = Department.objects.order_by("code").values_list("code", flat=True)
    return [
        "/feeds/publications.atom",
        *(f"/feeds/publications/{label}.atom" for label in registries),
        *(f"/feeds/departments/{code}.atom" for code in codes),
        *(f"/feeds/{feed.slug}.atom" for feed in feeds.list_feeds()),
    ]


def crawl_bulk_downloads(get, keep):
    """Every resource's NDJSON bulk export, the change-feed export, every Atom feed and a
    freshly built full snapshot. ``get(url)`` fetches and records a response, with its
    (streamed) bytes in ``response.body``; ``keep(label, text)`` records each file inside the
    snapshot's ZIP. Returns the bulk exports' responses by resource."""
    import io
    import zipfile

    from registry.api.router import resources
    from registry.exports import snapshot

    exports = {
        prefix: get(f"/api/v1/{prefix}/bulk-export/?format=ndjson") for prefix, _ in resources()
    }
    get("/api/v1/changes/bulk-export/?format=ndjson")
    for url in feed_urls():
        get(url)
    snapshot.build(force=True)
    archive = get("/api/v1/snapshot/")
    with zipfile.ZipFile(io.BytesIO(archive.body)) as files:
        for name in files.namelist():
            keep(f"snapshot {name}", files.read(name).decode())
    return exports
