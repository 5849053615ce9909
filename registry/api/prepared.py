"""Prepared list queries: the restricted, filtered row queryset of a list request, built once
per request shape and reused.

Building a list's queryset — the permission path's conditions, the filterset's validation
and filters, the row selection — costs more Python than running it. Portals ask the same
lists over and over, page after page, so the queryset is kept (never evaluated: each request
clones it, adds its page's cursor condition, and runs it) under a key of everything the
queryset depends on:

- the resource and action;
- the reader's scope: anonymous, or the user with the global permissions that decide the
  permission path's branches (department roles are a subquery evaluated when the query
  runs, so granting or revoking one needs no new key);
- every query parameter but ``cursor`` and ``page_size``, with its values;
- the date in Asia/Shanghai (public lists end display periods and compute deadlines by
  date).

A request whose parameters are invalid raises before anything is kept. The cache is a small
LRU per process.
"""

import collections
import threading

from django.utils import timezone

PAGING_PARAMETERS = frozenset({"cursor", "page_size"})
SIZE = 256


class PreparedQueries:
    def __init__(self, size=SIZE):
        self.size = size
        self._entries = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, build):
        with self._lock:
            queryset = self._entries.get(key)
            if queryset is not None:
                self._entries.move_to_end(key)
                return queryset.all()
        queryset = build()
        with self._lock:
            self._entries[key] = queryset
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return queryset.all()

    def clear(self):
        with self._lock:
            self._entries.clear()

    def __len__(self):
        return len(self._entries)


QUERIES = PreparedQueries()


def scope_key(user):
    """What of the reader the permission path's Python branches depend on."""
    if not user.is_authenticated:
        return ("anonymous",)
    return (user.pk, user.is_active, user.is_superuser, frozenset(user.get_all_permissions()))


def request_key(viewset):
    request = viewset.request
    parameters = tuple(
        sorted(
            (name, tuple(values))
            for name, values in request.query_params.lists()
            if name not in PAGING_PARAMETERS
        )
    )
    return (
        type(viewset),
        viewset.action,
        scope_key(request.user),
        parameters,
        timezone.localdate(),
    )


def listed_rows(viewset, plan):
    """The restricted, filtered rows of a list request (unordered, unpaged)."""
    return QUERIES.get(
        request_key(viewset),
        lambda: plan.values(viewset.filter_queryset(viewset.get_queryset())),
    )
