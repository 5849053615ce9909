"""The permission matrix of every endpoint, generated from the URL map.

:func:`endpoints` lists every (route name, method) the URL map serves outside the admin (the
admin has its own per-role suite in tests/test_admin.py; HEAD and OPTIONS answer as GET and
the schema do). :func:`matrix` gives each one the status every role gets, the object it is
tried on and the suite that runs it; tests/test_endpoint_matrix.py fails when the two differ,
so an endpoint cannot be added without saying who may use it.

Each suite (``core`` in tests/test_endpoint_matrix.py; ``decisions``, ``enforcement`` and
``fiscal`` in their ``test_permissions_and_queries.py``) subclasses :class:`EndpointMatrix`
over its module world, which holds a draft and a published record of department fgw per
resource, and supplies the bodies and the special objects its endpoints need. Every answer
is checked against the table, and a refused write must leave the audit log as it was."""

from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.test_permission_matrix import (  # noqa: F401 (re-exported for the entries)
    CREATE,
    EDIT_DRAFT,
    PUBLISH_DRAFT,
    READ_DRAFT,
    ROLES,
    WITHDRAW_PUBLISHED,
)
from tests.world import api_client

EVERYONE = dict.fromkeys(ROLES, 200)


def table(base, **changes):
    """``base`` with the statuses of some roles changed."""
    assert set(changes) <= set(ROLES), set(changes) - set(ROLES)
    return {**base, **changes}


# Submitting a draft for review is the draft's editor's step.
SUBMIT_DRAFT = EDIT_DRAFT
# Published records are public, so outsiders are refused with 403; correcting one (with a
# stated reason) is, like withdrawing it, the department's publisher's act.
AMEND_PUBLISHED = WITHDRAW_PUBLISHED
# The members of the department and the district-wide readers (not the legality reviewers,
# who read only what reached their review).
MEMBERS_READ = READ_DRAFT


@dataclass(frozen=True)
class Entry:
    """Who gets which status from one endpoint and method. ``target`` is what it is tried
    on: ``"draft"`` or ``"published"`` (fgw's record of the route's resource), the name of
    another object the suite's world holds, or None (a collection). ``kwargs`` are further
    URL arguments, ``lookup`` the one that takes the target's primary key."""

    statuses: dict
    target: str | None = None
    suite: str = "core"
    kwargs: dict = field(default_factory=dict)
    lookup: str = "pk"

    def __post_init__(self):
        assert set(self.statuses) == set(ROLES), self.statuses


# The routes of every record resource (registry.api.viewsets.RecordViewSet): route suffix,
# method -> (statuses, target).
RECORD_ROUTES = {
    ("list", "GET"): (EVERYONE, None),
    ("bulk-export", "GET"): (EVERYONE, None),
    ("list", "POST"): (CREATE, None),
    ("detail", "GET"): (READ_DRAFT, "draft"),
    ("detail", "PUT"): (EDIT_DRAFT, "draft"),
    ("detail", "PATCH"): (EDIT_DRAFT, "draft"),
    ("history", "GET"): (READ_DRAFT, "draft"),
    ("submit", "POST"): (SUBMIT_DRAFT, "draft"),
    ("publish", "POST"): (PUBLISH_DRAFT, "draft"),
    ("withdraw", "POST"): (WITHDRAW_PUBLISHED, "published"),
    ("amend", "POST"): (AMEND_PUBLISHED, "published"),
}


def record_entries(prefix, suite, **changes):
    """The entries of a record resource's routes; ``changes`` maps a route suffix and
    method (``"detail PUT"``) to the entry replacing the standard one."""
    entries = {
        (f"{prefix}-{suffix}", method): Entry(statuses, target, suite)
        for (suffix, method), (statuses, target) in RECORD_ROUTES.items()
    }
    for spec, entry in changes.items():
        suffix, method = spec.split()
        entries[(f"{prefix}-{suffix}", method)] = entry
    return entries


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def _methods(pattern):
    callback = pattern.callback
    view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if getattr(callback, "actions", None):  # a viewset route (DRF adds "head" once served)
        methods = set(callback.actions)
    elif view is None:  # a function view or a feed object
        methods = {"get"}
    else:
        methods = set(view.http_method_names)
        if any(hasattr(view, method) for method in methods - {"options"}):  # one handler each
            methods = {method for method in methods if hasattr(view, method)}
    return {method.upper() for method in methods - {"head", "options", "trace"}}


def endpoints():
    """``{(route name, method): route}`` of every endpoint the URL map serves, the admin
    excepted."""
    found = {}
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue
        assert pattern.name, f"{route} has no name, so the matrix cannot name it"
        for method in _methods(pattern):
            found[(pattern.name, method)] = route
    return found


def route_suffix(name):
    """``decisions-detail`` → ``("decisions", "detail")`` for router routes."""
    prefix, _, suffix = name.rpartition("-")
    if suffix == "export" and prefix.endswith("-bulk"):
        return prefix.removesuffix("-bulk"), "bulk-export"
    return prefix, suffix


class EndpointMatrix:
    """Every entry of the suite named ``suite``, for every role (tests/conftest.py
    parametrizes ``key`` and ``role``). Subclasses provide the ``w`` fixture (their world:
    ``drafts``, ``published``, ``tokens``) and override :meth:`body` and, for objects other
    than the draft and the published record, :meth:`target`."""

    suite = None

    @classmethod
    def keys(cls):
        from tests.endpoint_entries import matrix

        return sorted(key for key, entry in matrix().items() if entry.suite == cls.suite)

    def target(self, w, key, entry):
        if entry.target in ("draft", "published"):
            resource, _ = route_suffix(key[0])
            return (w.drafts if entry.target == "draft" else w.published)[resource]
        return getattr(w, entry.target) if entry.target else None

    def body(self, w, key, obj):
        """The request body (None: none)."""
        return None

    def request_format(self, key):
        return "json"

    def client(self, w, role):
        return api_client(w.tokens.get(role))

    def test_endpoint(self, w, key, role):
        from registry.models import AuditEntry
        from tests.endpoint_entries import matrix

        entry = matrix()[key]
        name, method = key
        obj = self.target(w, key, entry)
        kwargs = dict(entry.kwargs)
        if obj is not None:
            kwargs.setdefault(entry.lookup, obj.pk)
        url = reverse(name, kwargs=kwargs)
        audited = AuditEntry.objects.count()
        send = getattr(self.client(w, role), method.lower())
        response = send(url, self.body(w, key, obj), format=self.request_format(key))
        expected = entry.statuses[role]
        # a download is read to its end (it reads the database as it streams)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == expected, (
            f"{method} {url} as {role}: {response.status_code}, expected {expected}: "
            f"{content[:400]}"
        )
        if method != "GET" and response.status_code >= 400:
            assert AuditEntry.objects.count() == audited, "a refused write was audited"
        resource, suffix = route_suffix(name)
        if (suffix, method, entry.target) == ("detail", "GET", "draft"):
            # a draft is listed to exactly those who may read it
            listed = self.client(w, role).get(
                reverse(f"{resource}-list"), {"status": "draft", "page_size": 500}
            )
            assert listed.status_code == 200, listed.content
            ids = {row["id"] for row in listed.json()["results"]}
            assert (obj.pk in ids) == (expected == 200)
