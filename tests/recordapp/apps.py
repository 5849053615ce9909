from django.apps import AppConfig


class RecordAppConfig(AppConfig):
    name = "tests.recordapp"
    label = "recordapp"

    def ready(self):
        from registry import record_types
        from tests.recordapp.api import NoticeViewSet

        record_types.register("test-notices", NoticeViewSet)
