"""Base GraphQL types shared by every registry (importing this never builds the schema).

Every node type reads its rows through the one permission path, and every relation it
names is resolved in batches (:mod:`registry.graphql.batching`): a foreign key becomes a
nullable field (null when the reader may not see the far end), a reverse foreign key or a
many-to-many relation a keyset connection with the far type's filters."""

from graphene import Field, relay
from graphene_django import DjangoObjectType
from graphene_django.registry import get_global_registry

from registry.choices import Action
from registry.graphql.batching import forward_resolver, reverse_one_resolver
from registry.graphql.connections import RecordConnection, RecordConnectionField


def type_for(model):
    """The node type registered for ``model`` (looked up when the schema is built)."""
    node_type = get_global_registry().get_type_for_model(model)
    if node_type is None:
        raise LookupError(f"no GraphQL type for {model._meta.label}")
    return node_type


def parent_lookup(relation):
    """The lookup from the far model of a to-many ``relation`` to the near row's key."""
    if relation.one_to_many:  # reverse foreign key: the far row's column
        return relation.field.attname
    if relation.concrete:  # forward many-to-many: back through its reverse query name
        return f"{relation.related_query_name()}__pk"
    return f"{relation.field.name}__pk"  # reverse many-to-many


def relation_field(relation):
    """The GraphQL field for a model relation (batched, through the permission path)."""
    related = relation.related_model
    if relation.many_to_one or (relation.one_to_one and relation.concrete):
        return Field(lambda: type_for(related), resolver=forward_resolver(relation))
    if relation.one_to_one:
        return Field(lambda: type_for(related), resolver=reverse_one_resolver(relation))
    return RecordConnectionField(lambda: type_for(related), parent_lookup=parent_lookup(relation))


class RestrictedObjectType(DjangoObjectType):
    """Base of every GraphQL type: rows go through the one permission path; relations named
    in ``fields`` are batched (see the module docstring); pages are keyset connections."""

    class Meta:
        abstract = True

    @classmethod
    def __init_subclass_with_meta__(cls, model=None, fields=None, renamed=None, **options):
        """``renamed`` maps a relation's model name to its name in the graph (reverse
        relations without a ``related_name`` have names like ``enforcementactions``)."""
        if model is not None and fields:
            scalars = []
            for name in fields:
                field = model._meta.get_field(name)
                graph_name = (renamed or {}).get(name, name)
                if field.is_relation and graph_name not in cls.__dict__:
                    setattr(cls, graph_name, relation_field(field))
                elif not field.is_relation:
                    scalars.append(name)
            fields = tuple(scalars)
        options.setdefault("connection_class", RecordConnection)
        options.setdefault("interfaces", (relay.Node,))
        super().__init_subclass_with_meta__(model=model, fields=fields, **options)

    @classmethod
    def get_queryset(cls, queryset, info):
        return queryset.restrict(info.context.user, Action.VIEW)


def node_type(model_class, fields, filterset=None, renamed=None):
    """A relay node type named like the model, restricted through the permission path."""
    meta = {"model": model_class, "fields": fields, "name": model_class.__name__}
    if renamed:
        meta["renamed"] = renamed
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
