from django.core.management.base import BaseCommand, CommandError

from registry import backups


class Command(BaseCommand):
    help = (
        "Replace the registry's database by a backup (one transaction), then verify the "
        "audit chain. Stop the servers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="a file written by `manage.py backup`")

    def handle(self, backup, **options):
        try:
            entries = backups.restore(backup)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored {backup}; audit chain intact: {entries} entries")
