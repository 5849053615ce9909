"""Base GraphQL types shared by every registry (importing this never builds the schema)."""

from graphene_django import DjangoObjectType

from registry.choices import Action


class RestrictedObjectType(DjangoObjectType):
    """Base of every GraphQL type: the queryset goes through the one permission path."""

    class Meta:
        abstract = True

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.restrict(info.context.user, Action.VIEW)
