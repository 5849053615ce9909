from django.core.management.base import BaseCommand, CommandError

from registry import backups


class Command(BaseCommand):
    help = "Write the registry's database to a pg_dump file (default: var/backups/)."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="the file to write (must not exist)")

    def handle(self, output=None, **options):
        try:
            path = backups.dump(output)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"backup written: {path} ({path.stat().st_size:,} bytes)")
