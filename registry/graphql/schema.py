"""The GraphQL schema: the core's types plus the query fields registries contribute through
:func:`registry.graphql.registration.register_query`. Import this module only after the apps
are ready (graphene does, at the first request): it builds the schema from what was
registered.

Every root connection whose rows belong to a department is also a connection on
``Department`` (``department { enforcementActions { … } }``), so the graph is navigable from
a department to its records and back."""

import graphene

from registry.api.filters import DepartmentFilterSet
from registry.graphql.connections import RecordConnectionField
from registry.graphql.lookups import NodeField, NodesField
from registry.graphql.registration import registered_queries
from registry.graphql.types import RestrictedObjectType
from registry.models import Department


def department_connections(queries):
    """``{name: connection}`` for each registered root connection of department-owned
    rows, as a connection nested under the department."""
    found = {}
    for query in queries:
        for name, field in query._meta.fields.items():
            if not isinstance(field, RecordConnectionField):
                continue
            model = field.node_type._meta.model
            owner = next((f for f in model._meta.concrete_fields if f.name == "department"), None)
            if owner is not None and owner.related_model is Department:
                found[name] = RecordConnectionField(field._node_type, parent_lookup="department_id")
    return found


DepartmentType = type(
    "DepartmentType",
    (RestrictedObjectType,),
    {
        **department_connections(registered_queries()),
        "Meta": type(
            "Meta",
            (),
            {
                "model": Department,
                "name": "Department",
                "fields": ("code", "name_zh", "name_en", "kind", "parent", "children", "uscc"),
                "filterset_class": DepartmentFilterSet,
            },
        ),
    },
)


class CoreQuery(graphene.ObjectType):
    node = NodeField()
    nodes = NodesField()
    departments = RecordConnectionField(DepartmentType)


Query = type("Query", (*registered_queries(), CoreQuery, graphene.ObjectType), {})
schema = graphene.Schema(query=Query)
