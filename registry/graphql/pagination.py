"""Keyset pagination for GraphQL connections: the same orderings as the REST lists (newest
first by id; by ``(updated_at, id)`` when the client syncs with ``updatedSince`` /
``updatedBefore``), opaque cursors that carry the ordering they belong to, and page sizes
within the REST limits. No ``OFFSET`` and no ``COUNT(*)`` unless ``totalCount`` is asked."""

import base64
import binascii
import json
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from registry.graphql.filtering import bad_argument

SYNC_ARGUMENTS = ("updated_since", "updated_before")


@dataclass(frozen=True)
class Ordering:
    """A keyset ordering: ``columns`` ascending or all descending, unique in the last one."""

    tag: str
    columns: tuple
    descending: bool

    def order_by(self, reverse=False):
        desc = self.descending != reverse
        return [F(column).desc() if desc else F(column).asc() for column in self.columns]

    def values(self, row):
        values = [getattr(row, column) for column in self.columns]
        return [value.isoformat() if hasattr(value, "isoformat") else value for value in values]

    def beyond(self, values, reverse=False):
        """Rows strictly after ``values`` in this ordering (before them when ``reverse``)."""
        later = "lt" if self.descending != reverse else "gt"
        condition = Q()
        for i, column in enumerate(self.columns):
            step = Q(
                **{
                    f"{name}": value
                    for name, value in zip(self.columns[:i], values[:i], strict=True)
                }
            )
            step &= Q(**{f"{column}__{later}": values[i]})
            condition |= step
        return condition


NEWEST_FIRST = Ordering("id", ("id",), descending=True)
BY_UPDATE = Ordering("updated", ("updated_at", "id"), descending=False)


def ordering_for(model, args):
    """The REST list's ordering for these arguments."""
    syncing = any(args.get(name) is not None for name in SYNC_ARGUMENTS)
    has_updated = any(f.name == "updated_at" for f in model._meta.concrete_fields)
    return BY_UPDATE if syncing and has_updated else NEWEST_FIRST


def encode_cursor(ordering, row):
    raw = json.dumps([ordering.tag, ordering.values(row)], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(ordering, cursor, argument):
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        tag, values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError, binascii.Error) as exc:
        raise bad_argument(argument, [_("无效的分页游标。")]) from exc
    if tag != ordering.tag or not isinstance(values, list) or len(values) != len(ordering.columns):
        raise bad_argument(argument, [_("该游标不属于这一排序（是否改变了 updatedSince？）。")])

    def whole(value):
        return isinstance(value, int) and not isinstance(value, bool)

    if ordering is BY_UPDATE:
        moment = parse_datetime(values[0]) if isinstance(values[0], str) else None
        if moment is None or moment.tzinfo is None or not whole(values[1]):
            raise bad_argument(argument, [_("无效的分页游标。")])
        return [moment, values[1]]
    if not all(whole(value) for value in values):
        raise bad_argument(argument, [_("无效的分页游标。")])
    return values


@dataclass(frozen=True)
class PageSlice:
    """Which slice of an ordering a connection asks for: ``first`` rows after a cursor, or
    ``last`` rows before one."""

    size: int
    backward: bool
    after: list | None
    before: list | None

    @classmethod
    def from_args(cls, args, ordering):
        limits = settings.GRAPHQL_LIMITS
        first, last = args.get("first"), args.get("last")
        if first is not None and last is not None:
            raise bad_argument("last", [_("first 与 last 不能同时使用。")])
        for name, value in (("first", first), ("last", last)):
            if value is not None and not 1 <= value <= limits["max_page_size"]:
                raise bad_argument(
                    name,
                    [
                        _("每页条数须在 1 至 %(max)d 之间；需要全部数据请用批量导出。")
                        % {"max": limits["max_page_size"]}
                    ],
                )
        after, before = args.get("after"), args.get("before")
        return cls(
            size=last if last is not None else first or limits["default_page_size"],
            backward=last is not None,
            after=decode_cursor(ordering, after, "after") if after else None,
            before=decode_cursor(ordering, before, "before") if before else None,
        )

    def narrow(self, queryset, ordering):
        """``queryset`` limited to the cursors and ordered for reading this window (the
        reverse of ``ordering`` when reading backward); slicing is the caller's."""
        if self.after is not None:
            queryset = queryset.filter(ordering.beyond(self.after))
        if self.before is not None:
            queryset = queryset.filter(ordering.beyond(self.before, reverse=True))
        return queryset.order_by(*ordering.order_by(reverse=self.backward))

    def page_info(self, rows):
        """``rows`` (read ``size + 1`` at most, in reading order) as the page's rows in the
        ordering and whether more lie beyond each end."""
        more = len(rows) > self.size
        rows = rows[: self.size]
        if self.backward:
            rows.reverse()
            return rows, {"has_previous_page": more, "has_next_page": self.before is not None}
        return rows, {"has_next_page": more, "has_previous_page": self.after is not None}
