from registry.api.serializers import RECORD_FIELDS, PublicRecordSerializer
from registry.api.viewsets import RecordViewSet
from tests.recordapp.models import Notice


class NoticeSerializer(PublicRecordSerializer):
    class Meta(PublicRecordSerializer.Meta):
        model = Notice
        fields = [*RECORD_FIELDS, "body"]


class NoticeViewSet(RecordViewSet):
    model = Notice
    serializer_class = NoticeSerializer
