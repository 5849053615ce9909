"""Registries contribute GraphQL query fields by registering an ``ObjectType`` mixin from
their ``AppConfig.ready()``; the schema module combines them."""

_queries = []


def register_query(query_class):
    if query_class not in _queries:
        _queries.append(query_class)


def registered_queries():
    return tuple(_queries)
