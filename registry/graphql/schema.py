"""The GraphQL schema: the core's types plus the query fields registries contribute through
:func:`registry.graphql.registration.register_query`."""

import graphene
from graphene import relay
from graphene_django import DjangoObjectType
from graphene_django.filter import DjangoFilterConnectionField

from registry.api.filters import DepartmentFilterSet
from registry.choices import Action
from registry.graphql.registration import registered_queries
from registry.models import Department


class RestrictedObjectType(DjangoObjectType):
    """Base of every GraphQL type: the queryset goes through the one permission path."""

    class Meta:
        abstract = True

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.restrict(info.context.user, Action.VIEW)


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
