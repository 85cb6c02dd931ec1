from django.core.management.base import BaseCommand, CommandError

from comptoir.users.services import UserError, create_user


class Command(BaseCommand):
    help = "Create a user (who is also an owner of records)."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--admin", action="store_true", help="give every right")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--team", default=None, help="put the user in this team")
        parser.add_argument(
            "--role",
            default=None,
            help='role name, e.g. "Sales rep" (default: Super admin with --admin, else Sales rep)',
        )

    def handle(self, *args, **opts):
        try:
            user = create_user(
                opts["email"],
                opts["password"],
                first_name=opts["first_name"],
                last_name=opts["last_name"],
                is_admin=opts["admin"],
                team=opts["team"],
                role=opts["role"],
            )
        except UserError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Created user {user.email} (owner id {user.owner.pk}).")
