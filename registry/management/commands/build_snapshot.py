from django.core.management.base import BaseCommand

from registry.exports import snapshot


class Command(BaseCommand):
    help = (
        "Build the full snapshot of all public data (/api/v1/snapshot/) unless the newest one "
        "is still current; --force builds one anyway."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="build even if current")

    def handle(self, force=False, **options):
        manifest = snapshot.build(force=force)
        self.stdout.write(
            f"snapshot {manifest.file_name}: {manifest.row_count} rows, "
            f"change seq {manifest.change_seq}, sha256 {manifest.sha256}"
        )
