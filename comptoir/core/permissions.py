"""Who may see and change what (SET-5), decided here and nowhere else.

Every read path of the UI and the API narrows its records with `visible()` (or passes the
user to `base_queryset`), and every write entry point asks `can_edit()`. A record the user
may not see is answered as missing (404), so its existence does not leak.
"""

from django.db.models import Q

from comptoir.core.accounts import owner_model, role_model, team_membership_model
from comptoir.core.objects.registry import crm_types, get_object_type
from comptoir.core.properties import registry

ALL, TEAM, OWNED = "all", "team", "owned"
SCOPES = (ALL, TEAM, OWNED)


def scoped_objects() -> tuple[str, ...]:
    """The rows of a role's scopes: each CRM record type, then all activities together."""
    return (*(ot.name for ot in crm_types()), "activities")


RIGHTS = ("can_import", "can_export", "can_bulk_delete", "can_manage_settings", "can_use_api")


class NotAllowed(PermissionError):
    """The user may see the record (or page) but not do this."""


def scope_key(object_type) -> str:
    ot = get_object_type(object_type)
    return "activities" if ot.is_activity else ot.name


def _role(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    role_id = getattr(user, "role_id", None)
    if role_id is None:
        return None
    return registry.cached(
        f"role:{role_id}", lambda: role_model().objects.filter(pk=role_id).first()
    )


def _scope(user, ot, kind: str) -> str:
    if getattr(user, "is_superuser", False):
        return ALL
    role = _role(user)
    if role is None:
        return OWNED  # no role: the most private, never more than intended
    return (role.scopes.get(scope_key(ot)) or {}).get(kind, OWNED)


def view_scope(user, object_type) -> str:
    return _scope(user, get_object_type(object_type), "view")


def edit_scope(user, object_type) -> str:
    return _scope(user, get_object_type(object_type), "edit")


def owner_id(user) -> int | None:
    def load():
        return (
            owner_model().objects.filter(user_id=user.pk).values_list("pk", flat=True).first() or 0
        )

    return registry.cached(f"owner_of:{user.pk}", load) or None


def team_owner_ids(user) -> frozenset:
    """Owners of everyone who shares a team with the user (the user included)."""

    def load():
        memberships = team_membership_model().objects
        teams = memberships.filter(user_id=user.pk).values("team_id")
        mates = memberships.filter(team_id__in=teams).values("user_id")
        ids = set(owner_model().objects.filter(user_id__in=mates).values_list("pk", flat=True))
        mine = owner_id(user)
        return frozenset(ids | ({mine} if mine else set()))

    return registry.cached(f"team_owners:{user.pk}", load)


def _condition(user, scope: str) -> Q | None:
    if scope == ALL:
        return None
    if scope == TEAM:
        return Q(hubspot_owner_id__in=list(team_owner_ids(user)))
    return Q(hubspot_owner_id=owner_id(user) or -1)


def view_q(user, object_type) -> Q | None:
    """The condition on records the user may see (None: all of them)."""
    return _condition(user, view_scope(user, object_type))


def visible(qs, user, object_type):
    condition = view_q(user, object_type)
    return qs if condition is None else qs.filter(condition)


def _allowed(user, scope: str, record) -> bool:
    if scope == ALL:
        return True
    owner = record.hubspot_owner_id
    if owner is None:
        return False
    if scope == TEAM:
        return owner in team_owner_ids(user)
    return owner == owner_id(user)


def can_view(user, object_type, record) -> bool:
    return _allowed(user, view_scope(user, object_type), record)


def can_edit(user, object_type, record) -> bool:
    return can_view(user, object_type, record) and _allowed(
        user, edit_scope(user, object_type), record
    )


def has_right(user, right: str) -> bool:
    if right not in RIGHTS:
        raise ValueError(f"unknown right {right!r}")
    if getattr(user, "is_superuser", False):
        return True
    role = _role(user)
    return bool(role and getattr(role, right))


def require_edit(user, object_type, record) -> None:
    """For write entry points: NotAllowed when the record is visible but not editable
    (callers already answered 404 for records the user cannot see)."""
    if not can_edit(user, object_type, record):
        raise NotAllowed(
            f"You can see this {get_object_type(object_type).singular} but not change it."
        )


def with_default_owner(user, object_type, properties: dict) -> dict:
    """A record created by someone who sees only some records is theirs unless they say
    otherwise: otherwise it would vanish from their own lists at once."""
    if "hubspot_owner_id" in properties:
        return properties
    return with_owner(properties, default_owner(user, object_type))


def default_owner(user, object_type) -> str | None:
    """The owner of the records the user creates without naming one (None: no owner);
    callers creating many records look it up once. Anyone whose role limits what they see
    or change gets their own records: an unowned one would be out of their reach at once."""
    if user is None or (
        view_scope(user, object_type) == ALL and edit_scope(user, object_type) == ALL
    ):
        return None
    mine = owner_id(user)
    return str(mine) if mine else None


def with_owner(properties: dict, owner: str | None) -> dict:
    """`properties`, with `owner` (from default_owner) unless they name one."""
    if owner is None or "hubspot_owner_id" in properties:
        return properties
    return {**properties, "hubspot_owner_id": owner}


def edit_q(user, object_type) -> Q | None:
    """The condition on records the user may change (None: all of them)."""
    view = view_q(user, object_type)
    edit = _condition(user, edit_scope(user, object_type))
    if view is None:
        return edit
    return view if edit is None else view & edit


def editable(qs, user, object_type):
    condition = edit_q(user, object_type)
    return qs if condition is None else qs.filter(condition)
