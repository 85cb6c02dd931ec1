"""The built-in roles (SET-5), kept in step after every migrate."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _lazy

from comptoir.core.permissions import ALL, OWNED, SCOPED_OBJECTS

# Imported here: comptoir.users.models imports this module when loaded.


def _scopes(view: str, edit: str) -> dict:
    return {name: {"view": view, "edit": edit} for name in SCOPED_OBJECTS}


SUPER_ADMIN = "Super admin"
SALES_MANAGER = "Sales manager"
SALES_REP = "Sales rep"
SALES_REP_PRIVATE = "Sales rep – private"  # noqa: RUF001 - the en dash is the name

# Built-in roles keep their English names as data; people read them in their language.
BUILTIN_LABELS = {
    SUPER_ADMIN: _lazy("Super admin"),
    SALES_MANAGER: _lazy("Sales manager"),
    SALES_REP: _lazy("Sales rep"),
    SALES_REP_PRIVATE: _lazy("Sales rep – private"),  # noqa: RUF001
}

BUILTIN_ROLES = {
    SUPER_ADMIN: dict(
        scopes=_scopes(ALL, ALL),
        can_import=True,
        can_export=True,
        can_bulk_delete=True,
        can_manage_settings=True,
        can_use_api=True,
    ),
    SALES_MANAGER: dict(
        scopes=_scopes(ALL, ALL),
        can_import=True,
        can_export=True,
        can_bulk_delete=True,
        can_manage_settings=False,
        can_use_api=True,
    ),
    SALES_REP: dict(
        scopes=_scopes(ALL, OWNED),
        can_import=True,
        can_export=False,
        can_bulk_delete=False,
        can_manage_settings=False,
        can_use_api=True,
    ),
    SALES_REP_PRIVATE: dict(
        scopes=_scopes(OWNED, OWNED),
        can_import=True,
        can_export=False,
        can_bulk_delete=False,
        can_manage_settings=False,
        can_use_api=True,
    ),
}


def sync_roles(**kwargs) -> None:
    # Imported here: comptoir.users.models imports this module when loaded.
    from comptoir.core.properties import registry
    from comptoir.users.models import Role

    with transaction.atomic():
        for name, fields in BUILTIN_ROLES.items():
            Role.objects.update_or_create(name=name, defaults={"builtin": True, **fields})
        registry.invalidate()
