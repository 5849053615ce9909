"""The GraphQL schema: the core's types plus the query fields registries contribute through
:func:`registry.graphql.registration.register_query`. Import this module only after the apps
are ready (graphene does, at the first request): it builds the schema from what was
registered."""

import graphene
from graphene import relay
from graphene_django.filter import DjangoFilterConnectionField

from registry.api.filters import DepartmentFilterSet
from registry.graphql.registration import registered_queries
from registry.graphql.types import RestrictedObjectType
from registry.models import Department


class DepartmentType(RestrictedObjectType):
    class Meta:
        model = Department
        name = "Department"
        fields = ("code", "name_zh", "name_en", "kind", "parent", "children", "uscc")
        filterset_class = DepartmentFilterSet
        interfaces = (relay.Node,)


class CoreQuery(graphene.ObjectType):
    node = relay.Node.Field()
    departments = DjangoFilterConnectionField(DepartmentType)


Query = type("Query", (*registered_queries(), CoreQuery, graphene.ObjectType), {})
schema = graphene.Schema(query=Query)
