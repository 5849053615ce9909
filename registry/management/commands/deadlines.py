from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from registry.compliance import deadlines, text
from registry.compliance.scope import unrestricted
from registry.models import Department


class Command(BaseCommand):
    help = (
        "List every department's open deadlines due within N working days, overdue ones "
        "included (the list of GET /api/v1/compliance/deadlines/ and of the daily digest)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--within",
            type=int,
            default=deadlines.DEFAULT_WITHIN,
            help=f"working days ahead (0-{deadlines.MAX_WITHIN}, default "
            f"{deadlines.DEFAULT_WITHIN})",
        )
        parser.add_argument("--department", help="only this department (its code)")

    def handle(self, within, department, **options):
        if not 0 <= within <= deadlines.MAX_WITHIN:
            raise CommandError(f"--within must be between 0 and {deadlines.MAX_WITHIN}")
        department_id = None
        if department:
            department_id = (
                Department.objects.filter(code=department).values_list("pk", flat=True).first()
            )
            if department_id is None:
                raise CommandError(f"no department with code {department!r}")
        reminders = deadlines.upcoming(timezone.localdate(), within, unrestricted, department_id)
        names = dict(
            Department.objects.filter(code__in=list(reminders.by_department())).values_list(
                "code", "name_zh"
            )
        )
        for line in text.listing(reminders, names):
            self.stdout.write(line)
