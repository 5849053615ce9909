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


# The record base's fields every record type exposes.
RECORD_FIELDS = (
    "department",
    "index_number",
    "name",
    "summary",
    "date_made",
    "status",
    "withheld_ground",
    "withheld_legal_basis",
    "published_at",
    "revision",
    "amended_at",
    "withdrawn_at",
    "withdrawal_reason",
    "withdrawal_legal_basis",
    "updated_at",
)


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
