"""Base GraphQL types shared by every registry (importing this never builds the schema)."""

from graphene import relay
from graphene_django import DjangoObjectType

from registry.choices import Action


class RestrictedObjectType(DjangoObjectType):
    """Base of every GraphQL type: the queryset goes through the one permission path."""

    class Meta:
        abstract = True

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.restrict(info.context.user, Action.VIEW)


def node_type(model_class, fields, filterset=None):
    """A relay node type named like the model, restricted through the permission path."""
    meta = {
        "model": model_class,
        "fields": fields,
        "interfaces": (relay.Node,),
        "name": model_class.__name__,
    }
    if filterset is not None:
        meta["filterset_class"] = filterset
    return type(
        f"{model_class.__name__}Type", (RestrictedObjectType,), {"Meta": type("Meta", (), meta)}
    )


def fields_from(serializer_class, *relations, exclude=()):
    """The model fields the REST serializer exposes for reading — so GraphQL shows exactly
    what REST shows — plus the relation names given (GraphQL navigates them both ways)."""
    model = serializer_class.Meta.model
    model_fields = {field.name for field in model._meta.get_fields()}
    readable = {name for name, field in serializer_class().fields.items() if not field.write_only}
    names = [
        name
        for name in serializer_class.Meta.fields
        if name in model_fields and name in readable and name not in exclude
    ]
    return (*names, *relations)
