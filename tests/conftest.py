import os

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def pytest_configure(config):
    if not os.environ.get("DATABASE_URL"):
        from registry.devdb import ensure_running

        ensure_running()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and other cached state never leak from one test into another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def departments(db):
    from registry.models import Department

    return {
        "fgw": Department.objects.create(
            code="fgw",
            name_zh="区发展改革委",
            name_en="District Development and Reform Commission",
            kind="department",
        ),
        "scjgj": Department.objects.create(
            code="scjgj",
            name_zh="区市场监管局",
            name_en="District Market Regulation Bureau",
            kind="department",
        ),
    }


@pytest.fixture
def users(departments, django_user_model):
    """One user per role: the owning department is ``fgw``; ``other_editor`` edits for
    ``scjgj``."""
    from registry.services.roles import grant_role

    def make(name, *grants, **extra):
        user = django_user_model.objects.create_user(name, password="pw-" + name, **extra)
        for role, department in grants:
            grant_role(user, role, departments.get(department))
        return user

    return {
        "editor": make("editor", ("editor", "fgw")),
        "publisher": make("publisher", ("publisher", "fgw")),
        "department_admin": make("department_admin", ("department_admin", "fgw")),
        "other_editor": make("other_editor", ("editor", "scjgj")),
        "other_publisher": make("other_publisher", ("publisher", "scjgj")),
        "oversight": make("oversight", ("oversight", None)),
        "legality_reviewer": make("legality_reviewer", ("legality_reviewer", None)),
        "superuser": make("superuser", is_superuser=True, is_staff=True),
    }


@pytest.fixture
def client_for(users):
    """``client_for("editor")`` is an API client authenticated with that user's token;
    ``client_for("anonymous")`` is not authenticated."""

    def make(name):
        client = APIClient()
        if name != "anonymous":
            token, _ = Token.objects.get_or_create(user=users[name])
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make
