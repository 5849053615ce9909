import os
import time
import uuid

import pytest

from tests.world import api_client, create_departments, create_people, tokens_for


def pytest_configure(config):
    if not os.environ.get("DATABASE_URL"):
        from registry.devdb import ensure_running

        ensure_running()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Let the test database be flushed between transactional tests: TRUNCATE of the
    append-only audit log is allowed only in sessions that declare audit maintenance."""
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        name = connection.settings_dict["NAME"]
        cursor.execute(f"ALTER DATABASE \"{name}\" SET registry.audit_maintenance = 'on'")
        cursor.execute("SET registry.audit_maintenance = 'on'")


@pytest.fixture(autouse=True)
def _fresh_cache(monkeypatch):
    """Rate-limit counters, prepared list queries and other cached state never leak from
    one test into another (each test counts under a prefix of its own), and rate-limit
    windows do not turn over in the middle of a test: their clock stands still unless the
    test moves it."""
    from django.core.cache import cache
    from django.test import override_settings

    from registry.api import prepared
    from registry.api.filters import DEPARTMENT_CODES
    from registry.ratelimits import counting

    prepared.QUERIES.clear()
    DEPARTMENT_CODES.forget()
    now = time.time()
    monkeypatch.setattr(counting, "clock", lambda: now)
    cache.clear()
    with override_settings(REGISTRY_RATE_LIMIT_PREFIX=f"test-{uuid.uuid4().hex}:"):
        yield
    cache.clear()


@pytest.fixture
def lifted_graphql_limits(settings):
    """GraphQL without request limits, for crawlers that ask for everything at once."""
    from tests.graph_crawl import LIFTED_LIMITS

    settings.GRAPHQL_LIMITS = {**settings.GRAPHQL_LIMITS, **LIFTED_LIMITS}


@pytest.fixture
def departments(db):
    return create_departments()


@pytest.fixture
def users(departments):
    """One user per role: the owning department is ``fgw``; ``other_editor`` edits for
    ``scjgj``."""
    return create_people(departments)


@pytest.fixture
def client_for(users):
    """``client_for("editor")`` is an API client authenticated with that user's token;
    ``client_for("anonymous")`` is not authenticated."""
    tokens = {}

    def make(name):
        if name == "anonymous":
            return api_client()
        if name not in tokens:
            tokens.update(tokens_for({name: users[name]}))
        return api_client(tokens[name])

    return make


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a function with its on-commit work (storing the public states of the change
    feed) done as a real commit would."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def pytest_generate_tests(metafunc):
    """The endpoint permission matrix (tests/endpoint_matrix.py): each suite's entries, for
    every role."""
    from tests.endpoint_matrix import ROLES, EndpointMatrix

    if metafunc.cls and issubclass(metafunc.cls, EndpointMatrix) and "key" in metafunc.fixturenames:
        metafunc.parametrize("key", metafunc.cls.keys(), ids=" ".join)
        metafunc.parametrize("role", ROLES)
