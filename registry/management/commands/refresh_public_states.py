from django.core.management.base import BaseCommand

from registry.changes import emit_expiry_events
from registry.refresh import refresh_public_states


class Command(BaseCommand):
    help = (
        "Announce in the change feed what changed today without a write: display periods "
        "that ended, and public content that depends on the date (run daily; idempotent)."
    )

    def handle(self, **options):
        ended = emit_expiry_events()
        refreshed = refresh_public_states()
        self.stdout.write(f"display_ended events: {ended}; refreshed events: {refreshed}")
