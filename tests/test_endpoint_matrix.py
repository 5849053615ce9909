"""The endpoint permission matrix: every endpoint of the URL map has an entry (and every
entry an endpoint), and the core endpoints — login, the API root, the dictionary, the change
feed, exports, snapshots, the API docs, feeds, GraphQL, departments and the test-only
``test-notices`` record resource — answer each role as the matrix says."""

import pytest
from django.utils import timezone

from registry.exports import snapshot
from registry.models import ExportManifest
from tests.endpoint_entries import matrix
from tests.endpoint_matrix import EndpointMatrix, endpoints
from tests.factories import notice
from tests.world import module_world, people_world

SUITES = {"core", "decisions", "enforcement", "fiscal"}


def test_every_endpoint_has_an_entry_and_every_entry_an_endpoint():
    served, entries = set(endpoints()), set(matrix())
    assert sorted(served - entries) == [], "endpoints without an entry in the matrix"
    assert sorted(entries - served) == [], "entries for endpoints the URL map does not serve"
    assert {entry.suite for entry in matrix().values()} <= SUITES


def test_every_suite_runs_its_entries():
    """Each suite's class exists where the matrix says, so no entry goes untried."""
    from tests.decisions.test_permissions_and_queries import TestEndpointMatrix as Decisions
    from tests.enforcement.test_permissions_and_queries import TestEndpointMatrix as Enforcement
    from tests.fiscal.test_permissions_and_queries import TestEndpointMatrix as Fiscal

    suites = [TestEndpointMatrix, Decisions, Enforcement, Fiscal]
    assert {suite.suite for suite in suites} == SUITES
    assert sum(len(suite.keys()) for suite in suites) == len(matrix())


def _build_world():
    w = people_world()
    editor, publisher = w.users["editor"], w.users["publisher"]
    w.drafts = {"test-notices": notice(w.fgw, editor)}
    w.published = {"test-notices": notice(w.fgw, editor, publish_by=publisher)}
    w.editor_manifest = ExportManifest.objects.create(
        kind="resource",
        resource="test-notices",
        format="csv",
        schema_version="1",
        generated_at=timezone.now(),
        requested_by=editor,
    )
    snapshot.build(force=True)
    return w


world = module_world(_build_world)


@pytest.fixture
def w(world, db):
    return world


WITHDRAW = {"reason": "通知已失效", "legal_basis": "《政府信息公开条例》第二十条"}


class TestEndpointMatrix(EndpointMatrix):
    suite = "core"

    def body(self, w, key, obj):
        name, method = key
        if name == "auth-token":
            return {"username": "editor", "password": "pw-editor"}
        if name == "graphql":
            return {"query": "{ __typename }"}
        if name == "annual-report":
            return {"department": "fgw", "year": 2026}
        if name.startswith("test-notices-"):
            suffix = name.removeprefix("test-notices-")
            if suffix == "withdraw":
                return WITHDRAW
            if suffix == "amend":
                return {"reason": "更正错字", "summary": "更正"}
            if suffix in ("list", "detail") and method in ("POST", "PUT"):
                return {"department": "fgw", "name": "通知", "date_made": "2026-11-02"}
            if method == "PATCH":
                return {"summary": "改"}
        return None
