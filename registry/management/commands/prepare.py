"""``manage.py prepare``: everything ``make run`` does before serving, in one process (each
``manage.py`` start costs seconds of imports): migrate, collect the static files when they
changed, load the demo data set (idempotent) and build the snapshot when it is stale."""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import BaseCommand

MANIFEST = "staticfiles.json"


def static_files_changed():
    """Whether a static source file is newer than the collected manifest (or none exists)."""
    manifest = settings.STATIC_ROOT / MANIFEST
    if not manifest.exists():
        return True
    collected = manifest.stat().st_mtime
    for finder in finders.get_finders():
        for path, storage in finder.list(ignore_patterns=[]):
            if storage.get_modified_time(path).timestamp() > collected:
                return True
    return False


class Command(BaseCommand):
    help = "Migrate, collect static files, load the demo data and build the snapshot."

    def handle(self, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if static_files_changed():
            call_command("collectstatic", interactive=False, verbosity=0)
        call_command("load_demo", stdout=self.stdout)
        call_command("build_snapshot", stdout=self.stdout)
