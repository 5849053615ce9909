"""Atom feeds for readers and portals: new publications of the whole registry, of one registry
(``decisions``, ``enforcement``, ``fiscal``) or of one department, and list feeds that
registries declare (e.g. consultations now open for comment).

Entries are rendered by the change feed's machinery, so a feed shows exactly what the public
API shows: a record published and later withdrawn or withheld drops out of the feed."""

from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from registry import changes
from registry.choices import AuditAction

ENTRIES = 50


class RecordFeed(Feed):
    """Atom entries for items that carry a ``resource`` and its public ``record`` (as the
    API represents it)."""

    feed_type = Atom1Feed

    def item_title(self, item):
        return item["record"].get("name") or f"{item['resource']} #{item['record']['id']}"

    def item_description(self, item):
        return item["record"].get("summary", "")

    def item_link(self, item):
        return f"/api/v1/{item['resource']}/{item['record']['id']}/"

    def item_author_name(self, item):
        return item["record"].get("department_name")


class PublicationFeed(RecordFeed):
    """``/feeds/publications.atom``, ``/feeds/<registry>.atom``,
    ``/feeds/departments/<code>.atom``: the latest publications, newest first."""

    def get_object(self, request, registry=None, department=None):
        from registry.models import Department

        scope = {
            "site": request.build_absolute_uri("/").rstrip("/"),
            "self": request.build_absolute_uri(request.path),
        }
        if department is not None:
            found = Department.objects.filter(code=department).first()
            if found is None:
                raise Http404(department)
            return {**scope, "department": found}
        if registry is not None:
            types = changes.resource_types(app_label=registry)
            if not types:
                raise Http404(registry)
            return {**scope, "registry": apps.get_app_config(registry), "types": types}
        return scope

    def title(self, scope):
        if "department" in scope:
            return _("%(name)s 新发布信息") % {"name": scope["department"].name_zh}
        if "registry" in scope:
            return _("%(registry)s 新发布信息") % {"registry": scope["registry"].verbose_name}
        return _("政务公开登记系统 新发布信息")

    def link(self, scope):
        return "/api/v1/changes/"

    def feed_guid(self, scope):
        return scope["self"]

    def subtitle(self, scope):
        return _("最近 %(count)d 条发布（已撤回或不再公开的不列出）") % {"count": ENTRIES}

    def items(self, scope):
        from registry.models import AuditEntry

        entries = AuditEntry.objects.filter(is_public=True, action=AuditAction.PUBLISHED)
        if "department" in scope:
            entries = entries.filter(department=scope["department"])
        if "types" in scope:
            entries = entries.filter(content_type_id__in=scope["types"])
        # Look further back than the page so that entries no longer public can be skipped.
        events = changes.events_for(list(entries.order_by("-seq")[: ENTRIES * 2]))
        present = [event for event in events if event["state"] == "present"][:ENTRIES]
        return [{**event, "site": scope["site"]} for event in present]

    def item_guid(self, event):
        return f"{event['site']}{self.item_link(event)}#event-{event['seq']}"

    item_guid_is_permalink = False

    def item_pubdate(self, event):
        return event["occurred_at"]

    def item_updateddate(self, event):
        return event["occurred_at"]

    def item_categories(self, event):
        return [event["resource"]]


@dataclass(frozen=True)
class ListFeed:
    """A feed over one resource's public list with fixed filters, declared by a registry."""

    slug: str
    resource: str
    params: dict = field(default_factory=dict)
    title: str = ""


_list_feeds: dict[str, ListFeed] = {}


def register_list_feed(list_feed):
    _list_feeds[list_feed.slug] = list_feed


def list_feeds():
    """The list feeds registries declared."""
    return list(_list_feeds.values())


class ResourceListFeed(RecordFeed):
    """``/feeds/<slug>.atom`` for a registered :class:`ListFeed`: the resource's public list
    with the feed's filters, the same rows as ``/api/v1/<resource>/?<filters>``."""

    def get_object(self, request, slug):
        if slug not in _list_feeds:
            raise Http404(slug)
        return _list_feeds[slug]

    def title(self, list_feed):
        return list_feed.title

    def link(self, list_feed):
        return f"/api/v1/{list_feed.resource}/"

    def items(self, list_feed):
        from registry import record_types
        from registry.api.router import public_viewset

        viewset_class = {t.prefix: t.viewset for t in record_types.registered()}[list_feed.resource]
        viewset = public_viewset(list_feed.resource, viewset_class, list_feed.params)
        records = viewset.filter_queryset(viewset.get_queryset()).order_by("-updated_at", "-pk")
        return [
            {"resource": list_feed.resource, "record": row}
            for row in viewset.represent_rows(records[:ENTRIES])
        ]

    def item_updateddate(self, item):
        from django.utils.dateparse import parse_datetime

        return parse_datetime(item["record"]["updated_at"])
