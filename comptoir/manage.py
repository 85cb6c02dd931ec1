"""The `comptoir` console script: Django's manage.py under the project's name.

Two things differ from Django's: `comptoir --version` prints Comptoir's version (Django's
would print its own), and a configuration error (a setting read from the environment that
cannot be understood, `comptoir.config.env`) ends the command with one line naming the
variable and the accepted values instead of a traceback."""

import os
import sys

from comptoir.core.version import comptoir_version


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    if argv[1:2] in (["--version"], ["version"]):
        # Only this answer needs Django's version: no settings are loaded for it.
        import django

        print(f"Comptoir {comptoir_version()} (Django {django.get_version()})")
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.config.settings")
    # Imported once the settings module is named, as Django's own manage.py does.
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(argv)
    except ImproperlyConfigured as error:
        print(f"comptoir: configuration error: {error}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
