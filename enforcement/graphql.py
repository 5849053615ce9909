"""GraphQL types of the enforcement registry: the same permission path and filtersets as
REST; enforcement decisions resolve through the redaction policy for the public, and the
party's private fields are not in the graph at all."""

import graphene
from graphene import relay

from enforcement import redaction
from enforcement.api import filters, serializers
from enforcement.models import (
    EnforcementAction,
    EnforcementBody,
    EnforcementOfficer,
    EnforcementPower,
    InspectionPlan,
    InspectionResult,
)
from registry.graphql.connections import RecordConnectionField
from registry.graphql.types import RestrictedObjectType, fields_from, node_type
from registry.permissions import member_scope

EnforcementBodyType = node_type(
    EnforcementBody,
    fields_from(
        serializers.EnforcementBodySerializer,
        "enforcementpowers",
        "enforcementofficers",
        "enforcementactions",
        "inspectionplans",
    ),
    filters.EnforcementBodyFilterSet,
    renamed={
        "enforcementpowers": "enforcement_powers",
        "enforcementofficers": "enforcement_officers",
        "enforcementactions": "enforcement_actions",
        "inspectionplans": "inspection_plans",
    },
)
EnforcementPowerType = node_type(
    EnforcementPower,
    fields_from(serializers.EnforcementPowerSerializer, "actions"),
    filters.EnforcementPowerFilterSet,
)
EnforcementOfficerType = node_type(
    EnforcementOfficer,
    fields_from(serializers.EnforcementOfficerSerializer),
    filters.BodyPartFilterSet,
)


def _redacted(field):
    def resolve(action, info):
        if member_scope(info.context).covers(action.department_id):
            return getattr(action, field)
        return getattr(action, redaction.PUBLIC_COLUMNS[field])

    return resolve


class EnforcementActionType(RestrictedObjectType):
    class Meta:
        model = EnforcementAction
        name = "EnforcementAction"
        interfaces = (relay.Node,)
        filterset_class = filters.EnforcementActionFilterSet
        # The party's private data is not in the graph at all.
        fields = fields_from(
            serializers.EnforcementActionSerializer, exclude=redaction.PRIVATE_FIELDS
        )

    fine_amount = graphene.String(description="罚款金额，元，十进制字符串")
    confiscation_amount = graphene.String(description="没收金额，元，十进制字符串")

    resolve_name = _redacted("name")
    resolve_summary = _redacted("summary")
    resolve_party_name = _redacted("party_name")
    resolve_legal_representative = _redacted("legal_representative")
    resolve_facts = _redacted("facts")
    resolve_legal_basis = _redacted("legal_basis")
    resolve_result = _redacted("result")
    resolve_licence_scope = _redacted("licence_scope")

    def resolve_fine_amount(action, info):
        return None if action.fine_amount is None else str(action.fine_amount)

    def resolve_confiscation_amount(action, info):
        return None if action.confiscation_amount is None else str(action.confiscation_amount)


InspectionPlanType = node_type(
    InspectionPlan,
    fields_from(serializers.InspectionPlanSerializer, "results"),
    filters.InspectionPlanFilterSet,
)
InspectionResultType = node_type(
    InspectionResult,
    fields_from(serializers.InspectionResultSerializer),
    filters.InspectionResultFilterSet,
)


class EnforcementQuery(graphene.ObjectType):
    enforcement_bodies = RecordConnectionField(EnforcementBodyType)
    enforcement_powers = RecordConnectionField(EnforcementPowerType)
    enforcement_officers = RecordConnectionField(EnforcementOfficerType)
    enforcement_actions = RecordConnectionField(EnforcementActionType)
    inspection_plans = RecordConnectionField(InspectionPlanType)
    inspection_results = RecordConnectionField(InspectionResultType)
