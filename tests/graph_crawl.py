"""GraphQL surfaces the confidentiality crawlers walk besides the connections: relay node
lookups in bulk and every statistics field under every grouping. The crawlers lift the
request limits (tests/test_graphql_limits.py tests those): they ask for everything at once.

``schema`` below is the introspection result (``__schema``) the crawlers already hold;
``graphql(query, variables=None, label=None)`` is the crawl's request function, which keeps
every response for the marker search and records errors as problems. The crawlers use the
``lifted_graphql_limits`` fixture (tests/conftest.py)."""

LIFTED_LIMITS = {
    "max_depth": 100,
    "max_aliases": 10_000,
    "max_cost": 10**15,
    "max_query_chars": 10**7,
}


def _named(ref):
    while ref.get("ofType"):
        ref = ref["ofType"]
    return ref["name"], ref["kind"]


def lookup_nodes(graphql, type_name, pks, inner):
    """``{pk: row or None}`` for ``pks`` of ``type_name`` through ``nodes(ids:)``."""
    from graphql_relay import to_global_id

    ids = [to_global_id(type_name, pk) for pk in pks]
    query = f"query($ids: [ID!]!) {{ nodes(ids: $ids) {{ ... on {type_name} {{ {inner} }} }} }}"
    data = graphql(query, {"ids": ids}, label=f"nodes {type_name}").get("data") or {}
    return dict(zip(pks, data.get("nodes") or [None] * len(pks), strict=True))


def statistics_fields(schema):
    """(field name, dimension names, selection of every group field, node type name) of each
    root statistics field."""
    types = {t["name"]: t for t in schema["types"]}
    query = types[schema["queryType"]["name"]]
    for field in query["fields"]:
        args = {arg["name"]: arg for arg in field["args"]}
        if "groupBy" not in args:
            continue
        dimensions = [v["name"] for v in types[_named(args["groupBy"]["type"])[0]]["enumValues"]]
        group = types[_named(field["type"])[0]]
        parts = []
        for group_field in group["fields"]:
            type_name, kind = _named(group_field["type"])
            if kind == "OBJECT":
                scalars = [
                    f["name"]
                    for f in types[type_name]["fields"]
                    if _named(f["type"])[1] in ("SCALAR", "ENUM")
                ]
                parts.append(f"{group_field['name']} {{ {' '.join(scalars)} }}")
            else:
                parts.append(group_field["name"])
        node = group["name"].removesuffix("StatisticsGroup")
        yield field["name"], dimensions, " ".join(parts), node


def connection_of(schema, node_type):
    """The root connection field listing ``node_type`` rows."""
    types = {t["name"]: t for t in schema["types"]}
    query = types[schema["queryType"]["name"]]
    for field in query["fields"]:
        if _named(field["type"])[0] == f"{node_type}Connection":
            return field["name"]
    return None


def crawl_statistics(graphql, schema, problems):
    """Every statistics field ungrouped, grouped by each dimension and by all of them, with
    every measure; the ungrouped count must equal the root connection's ``totalCount`` for
    the same reader (statistics count exactly the rows the reader may list)."""
    crawled = 0
    for name, dimensions, selection, node in statistics_fields(schema):
        groupings = [[], *([d] for d in dimensions), dimensions]
        for group_by in groupings:
            query = f"query($g: [{node}Dimension!]) {{ {name}(groupBy: $g) {{ {selection} }} }}"
            graphql(query, {"g": group_by}, label=f"{name}(groupBy: {group_by})")
            crawled += 1
        total = graphql(f"{{ {name} {{ count }} }}", label=f"{name} count").get("data")
        connection = connection_of(schema, node)
        listed = graphql(f"{{ {connection} {{ totalCount }} }}", label=f"{connection} count")
        counted = sum(group["count"] for group in (total or {}).get(name) or [])
        if counted != ((listed.get("data") or {}).get(connection) or {}).get("totalCount"):
            problems.append(f"{name} counts {counted} rows but {connection} lists {listed}")
    return crawled
