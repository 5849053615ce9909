import getpass
import os

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from registry.choices import DEPARTMENT_ROLES, Role
from registry.models import Department
from registry.services.roles import grant_role


class Command(BaseCommand):
    help = (
        "Grant ROLE to USERNAME (department roles need DEPARTMENT_CODE). With --create the "
        "user is made, its password taken from $REGISTRY_PASSWORD or asked for."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=[r.value for r in Role])
        parser.add_argument("department_code", nargs="?")
        parser.add_argument("--create", action="store_true", help="create the user first")

    def handle(self, username, role, department_code=None, create=False, **options):
        User = get_user_model()
        department = None
        if Role(role) in DEPARTMENT_ROLES:
            if not department_code:
                raise CommandError(f"role {role} needs a DEPARTMENT_CODE")
            department = Department.objects.filter(code=department_code).first()
            if department is None:
                raise CommandError(f"no department with code {department_code!r}")
        elif department_code:
            raise CommandError(f"role {role} is district-wide and takes no department")
        user = User.objects.filter(username=username).first()
        if user is None:
            if not create:
                raise CommandError(f"no user {username!r} (use --create to make one)")
            password = os.environ.get("REGISTRY_PASSWORD") or getpass.getpass(
                f"Password for {username}: "
            )
            if not password:
                raise CommandError("a password is required")
            user = User(username=username)
            user.set_password(password)
            user.save()
        try:
            grant_role(user, role, department)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        where = f" on {department.code}" if department else ""
        self.stdout.write(f"granted {role}{where} to {username}")
