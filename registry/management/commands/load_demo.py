from django.core.management.base import BaseCommand

from registry.demo import DEMO_PASSWORD, load_all


class Command(BaseCommand):
    help = "Load the demo data set (departments, demo users, each registry's records). Idempotent."

    def handle(self, **options):
        load_all(self.stdout)
        self.stdout.write(f"demo data loaded (demo users' password: {DEMO_PASSWORD})")
