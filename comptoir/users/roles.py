"""The built-in roles (SET-5), kept in step after every migrate."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _lazy

from comptoir.core.permissions import ALL, OWNED, scoped_objects


def _scopes(view: str, edit: str) -> dict:
    return {name: {"view": view, "edit": edit} for name in scoped_objects()}


def role_fields(name: str) -> dict:
    """A built-in role's row, its scopes on every object type registered."""
    fields = dict(BUILTIN_ROLES[name])
    fields["scopes"] = _scopes(*fields["scopes"])
    return fields


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
        scopes=(ALL, ALL),  # view, edit: on every object
        can_import=True,
        can_export=True,
        can_bulk_delete=True,
        can_manage_settings=True,
        can_use_api=True,
    ),
    SALES_MANAGER: dict(
        scopes=(ALL, ALL),  # view, edit: on every object
        can_import=True,
        can_export=True,
        can_bulk_delete=True,
        can_manage_settings=False,
        can_use_api=True,
    ),
    SALES_REP: dict(
        scopes=(ALL, OWNED),  # view, edit: on every object
        can_import=True,
        can_export=False,
        can_bulk_delete=False,
        can_manage_settings=False,
        can_use_api=True,
    ),
    SALES_REP_PRIVATE: dict(
        scopes=(OWNED, OWNED),  # view, edit: on every object
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
        for name in BUILTIN_ROLES:
            Role.objects.update_or_create(
                name=name, defaults={"builtin": True, **role_fields(name)}
            )
        registry.invalidate()
