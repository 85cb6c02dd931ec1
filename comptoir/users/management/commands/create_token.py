from django.core.management.base import BaseCommand, CommandError

from comptoir.users.models import User
from comptoir.users.services import UserError, create_token


class Command(BaseCommand):
    help = "Create a private-app API token for a user; prints only the token."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="the user's email")
        parser.add_argument("--name", default="Private app")
        parser.add_argument(
            "--scopes",
            nargs="*",
            default=None,
            help="HubSpot scopes (space or comma separated); default: all",
        )

    def handle(self, *args, **opts):
        email = opts["user"].strip().lower()
        user = User.objects.filter(email=email).first()
        if user is None:
            raise CommandError(f"user: no user with email {email!r}.")
        scopes = None
        if opts["scopes"]:
            scopes = [s for item in opts["scopes"] for s in item.split(",") if s.strip()]
        try:
            _, raw = create_token(user, opts["name"], scopes)
        except UserError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(raw)
