from django.core.management.base import BaseCommand

from registry.changes import emit_expiry_events


class Command(BaseCommand):
    help = (
        "Announce in the change feed every record whose display period has ended (run "
        "daily; idempotent)."
    )

    def handle(self, **options):
        self.stdout.write(f"display_ended events emitted: {emit_expiry_events()}")
