"""``node(id:)`` and ``nodes(ids: [...])``: relay node lookups, ``nodes`` many in one field
with one query per type, each row through the permission path (null where the reader may not
see it). An id that names no node type of the schema is an error naming the argument."""

import graphene
from django.conf import settings
from django.utils.translation import gettext as _
from graphene import relay
from graphene.relay.node import NodeField as RelayNodeField
from graphql_relay import from_global_id

from registry.graphql.batching import Batch
from registry.graphql.filtering import bad_argument, filtered


def _node_type(info, type_name):
    graphql_type = info.schema.get_type(type_name) if type_name else None
    graphene_type = getattr(graphql_type, "graphene_type", None)
    meta = getattr(graphene_type, "_meta", None)
    if meta is None or relay.Node not in getattr(meta, "interfaces", ()):
        return None
    return graphene_type


def _parse(info, global_id):
    """``(node type, pk)`` of a global id, or None when it names no node type."""
    try:
        type_name, pk = from_global_id(global_id)
        node_type = _node_type(info, type_name)
        pk = int(pk)
    except (ValueError, TypeError):
        return None
    return None if node_type is None else (node_type, pk)


def resolve_node(root, info, id):
    parsed = _parse(info, id)
    if parsed is None:
        raise bad_argument("id", [_("无效的 ID：%(id)s") % {"id": id}])
    node_type, pk = parsed
    return node_type.get_node(info, pk)


class NodeField(RelayNodeField):
    """relay's ``node(id:)`` (graphene answers an id it cannot parse with an error that
    looks like a server's failure)."""

    def __init__(self):
        super().__init__(relay.Node)

    def wrap_resolve(self, parent_resolver):
        return resolve_node


def resolve_nodes(root, info, ids):
    limit = settings.GRAPHQL_LIMITS["max_page_size"]
    if len(ids) > limit:
        raise bad_argument("ids", [_("一次最多查询 %(max)d 个 ID。") % {"max": limit}])
    wanted = []
    for position, global_id in enumerate(ids):
        parsed = _parse(info, global_id)
        if parsed is None:
            raise bad_argument(
                "ids", [_("第 %(n)d 个 ID 无效：%(id)s") % {"n": position + 1, "id": global_id}]
            )
        wanted.append(parsed)
    found = {}
    for node_type in {node_type for node_type, _pk in wanted}:
        model = node_type._meta.model
        pks = {pk for wanted_type, pk in wanted if wanted_type is node_type}
        rows = Batch(filtered(model, None, {}, info).filter(pk__in=pks))
        found.update({(node_type, row.pk): row for row in rows})
    return [found.get(key) for key in wanted]


class NodesField(graphene.Field):
    def __init__(self):
        super().__init__(
            graphene.NonNull(graphene.List(relay.Node)),
            ids=graphene.NonNull(graphene.List(graphene.NonNull(graphene.ID))),
            resolver=resolve_nodes,
            description="按全局 ID 批量查询（最多 500 个；读者无权查看或不存在的为 null）",
        )
