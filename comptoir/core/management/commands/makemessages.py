"""Django's makemessages, also collecting strings marked with the `_lazy` alias.

The browser app imports `gettext_lazy as _lazy` next to `gettext as _`; xgettext only
knows Django's own names, so without this its lazy strings would stay untranslated.
"""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]
