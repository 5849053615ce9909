from django.db.models import Case, Q, When
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from enforcement import redaction
from enforcement.choices import WithdrawalTrigger
from enforcement.models import (
    EnforcementAction,
    EnforcementBody,
    EnforcementOfficer,
    EnforcementPower,
    InspectionPlan,
    InspectionResult,
)
from registry.api.serializers import RECORD_FIELDS, PublicRecordSerializer, VisibleRelatedField
from registry.exports.copy_csv import NULL_CELL
from registry.permissions import member_scope


class EnforcementBodySerializer(PublicRecordSerializer):
    class Meta(PublicRecordSerializer.Meta):
        model = EnforcementBody
        fields = [
            *RECORD_FIELDS,
            "legal_authority",
            "jurisdiction",
            "address",
            "complaint_phone",
            "complaint_mailbox",
            "complaint_address",
            "supervisor",
        ]


class BodyPartSerializer(PublicRecordSerializer):
    """Base of records that belong to an enforcement body (the department follows it)."""

    body = VisibleRelatedField(queryset=EnforcementBody.objects.all())

    class Meta(PublicRecordSerializer.Meta):
        fields = [*RECORD_FIELDS, "body"]


class EnforcementPowerSerializer(BodyPartSerializer):
    class Meta(BodyPartSerializer.Meta):
        model = EnforcementPower
        fields = [
            *BodyPartSerializer.Meta.fields,
            "power_type",
            "code",
            "legal_basis",
            "discretion_standard",
            "procedure",
            "time_limit",
            "remedy",
        ]


class EnforcementOfficerSerializer(BodyPartSerializer):
    class Meta(BodyPartSerializer.Meta):
        model = EnforcementOfficer
        fields = [
            *BodyPartSerializer.Meta.fields,
            "certificate_number",
            "valid_until",
            "officer_status",
        ]


COMPUTED_ACTION_FIELDS = [
    "publication_due",
    "publication_rule",
    "publication_due_provisional",
    "calendar_version",
    "display_until",
    "display_rule",
    "repair_possible_from",
    "withdrawal_trigger",
    "withdrawal_trigger_date",
    "withdrawal_due",
    "is_overdue",
]


class EnforcementActionSerializer(BodyPartSerializer):
    """An enforcement decision. The public receives the redacted view (see
    ``enforcement.redaction``); the department and oversight the full record."""

    power = VisibleRelatedField(queryset=EnforcementPower.objects.all())
    date_made = serializers.DateField(required=False, help_text=_("默认为决定日期"))
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta(BodyPartSerializer.Meta):
        model = EnforcementAction
        fields = [
            *BodyPartSerializer.Meta.fields,
            "power",
            "kind",
            "document_number",
            "party_name",
            "party_kind",
            "party_credit_code",
            "legal_representative",
            "party_id_type",
            "party_id_number",
            "party_address",
            "party_phone",
            "party_bank_account",
            "party_health_info",
            "party_is_minor",
            "private_names",
            "facts",
            "legal_basis",
            "result",
            "penalty_types",
            "severity",
            "fine_amount",
            "confiscation_amount",
            "licence_name",
            "licence_number",
            "licence_scope",
            "decision_date",
            "valid_from",
            "valid_until",
            *COMPUTED_ACTION_FIELDS,
        ]
        read_only_fields = [*BodyPartSerializer.Meta.read_only_fields, *COMPUTED_ACTION_FIELDS]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if "date_made" not in attrs and "decision_date" in attrs and self.instance is None:
            attrs["date_made"] = attrs["decision_date"]
        return attrs

    def finish_representation(self, data, action):
        if member_scope(self.context["request"]).covers(action.department_id):
            return data
        return redaction.redact(data, action)

    def public_columns(self):
        scope = member_scope(self.context["request"])
        if scope.everything or scope.ids:
            return None
        return {**dict.fromkeys(redaction.PRIVATE_FIELDS), **redaction.PUBLIC_COLUMNS}

    def finish_expressions(self, cells):
        scope = member_scope(self.context["request"])
        if scope.everything:
            return cells
        public = redaction.redact_cells(cells)
        if not scope.ids:
            return public
        covered = Q(department_id__in=scope.ids)
        return {
            name: cell  # the same for every row
            if public.get(name) is cell
            else Case(When(covered, then=cell), default=public.get(name, NULL_CELL))
            for name, cell in cells.items()
        }


class WithdrawActionSerializer(serializers.Serializer):
    trigger = serializers.ChoiceField(choices=WithdrawalTrigger.choices)
    trigger_date = serializers.DateField(help_text=_("决定被变更、撤销或确认违法之日"))
    reason = serializers.CharField(max_length=2000, help_text=_("撤回理由（公开）"))
    legal_basis = serializers.CharField(max_length=500, help_text=_("撤回依据（公开）"))


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text=_("新建的执法决定（草稿）数"))
    ids = serializers.ListField(child=serializers.IntegerField(), help_text=_("按文件行序"))


class CreditRepairSerializer(serializers.Serializer):
    decided_on = serializers.DateField()
    decided_by = serializers.CharField(max_length=200)
    document_number = serializers.CharField(max_length=100)
    note = serializers.CharField(required=False, allow_blank=True)


class InspectionPlanSerializer(BodyPartSerializer):
    class Meta(BodyPartSerializer.Meta):
        model = InspectionPlan
        fields = [
            *BodyPartSerializer.Meta.fields,
            "year",
            "matters",
            "sampling_ratio",
            "inspectors_per_entity",
            "entity_pool",
            "inspector_pool",
            "draw_seed",
            "drawn_at",
            "draw_algorithm",
            "selection",
        ]
        read_only_fields = [
            *BodyPartSerializer.Meta.read_only_fields,
            "draw_seed",
            "drawn_at",
            "draw_algorithm",
            "selection",
        ]


class InspectionResultSerializer(BodyPartSerializer):
    plan = VisibleRelatedField(queryset=InspectionPlan.objects.all())

    class Meta(BodyPartSerializer.Meta):
        model = InspectionResult
        fields = [
            *BodyPartSerializer.Meta.fields,
            "plan",
            "entity_name",
            "entity_credit_code",
            "inspected_from",
            "inspected_until",
            "outcome",
            "findings",
            "publication_due",
            "publication_rule",
            "publication_due_provisional",
        ]
        read_only_fields = [
            *BodyPartSerializer.Meta.read_only_fields,
            "publication_due",
            "publication_rule",
            "publication_due_provisional",
        ]


class RedactionRuleSerializer(serializers.Serializer):
    code = serializers.CharField()
    description = serializers.CharField()
    legal_ground = serializers.CharField()
