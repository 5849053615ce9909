from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from registry.ratelimits.keys import issue_key


class Command(BaseCommand):
    help = (
        "Issue an API key for NAME and print it (only now: the key itself is not stored). "
        "Clients send it as the X-API-Key header."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="who the key is for (an application or a project)")
        parser.add_argument("--organisation", default="", help="the organisation using it")
        parser.add_argument("--contact", default="", help="a contact person, e-mail or phone")
        parser.add_argument(
            "--rate", default="", help="own limit, N/second|minute|hour|day (e.g. 5000/hour)"
        )

    def handle(self, name, organisation="", contact="", rate="", **options):
        try:
            api_key, raw_key = issue_key(
                name=name, organisation=organisation, contact=contact, rate=rate
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        limit = api_key.rate or "the default keyed rate"
        self.stderr.write(
            f"API key {api_key.prefix} for {name} ({limit}). It is shown only now: store it."
        )
        self.stdout.write(raw_key)
