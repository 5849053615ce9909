from django.core.management.base import BaseCommand, CommandError

from registry.audit import verify_chain
from registry.models import AuditEntry


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log; exit non-zero naming the first bad entry."

    def handle(self, **options):
        problem = verify_chain()
        if problem is not None:
            seq, what = problem
            raise CommandError(f"audit chain broken at entry #{seq}: {what}")
        self.stdout.write(f"audit chain intact: {AuditEntry.objects.count()} entries")
