"""`/crm/v3/owners`: who records can be assigned to (reference §2.5). Read-only.

The SDK asks for `/crm/v3/owners/` (trailing slash) while HubSpot's spec writes
`/crm/v3/owners`: both are routed, neither redirects."""

from ninja import Router

from comptoir.core.inputs import digits
from comptoir.hubspot_api import docs
from comptoir.hubspot_api.auth import require_scope
from comptoir.hubspot_api.errors import ApiError
from comptoir.hubspot_api.params import boolean, cursor, integer
from comptoir.hubspot_api.responses import collection_root, next_page, respond
from comptoir.hubspot_api.serializers import timestamp
from comptoir.users.models import Owner, TeamMembership

router = Router(tags=["Owners"])
SCOPE = "crm.objects.owners.read"
MAX_LIMIT = 500


def _teams(owners) -> dict[int, list[dict]]:
    """{user id: [PublicTeam]} for the owners' users, in one query."""
    user_ids = [o.user_id for o in owners if o.user_id]
    teams: dict[int, list[dict]] = {}
    rows = (
        TeamMembership.objects.filter(user_id__in=user_ids)
        .select_related("team")
        .order_by("-primary", "team__name")
    )
    for row in rows:
        teams.setdefault(row.user_id, []).append(
            {"id": str(row.team_id), "name": row.team.name, "primary": row.primary}
        )
    return teams


def owner_body(owner, teams: dict) -> dict:
    """PublicOwner. userId is null once the owner is archived or its user deactivated;
    userIdIncludingInactive keeps it (HubSpot's owners guide)."""
    user = owner.user
    active = user is not None and user.is_active and not owner.archived
    return {
        "id": str(owner.pk),
        "type": owner.type,
        "archived": owner.archived,
        "createdAt": timestamp(owner.created_at),
        "updatedAt": timestamp(owner.updated_at),
        "email": owner.email or (user.email if user else None),
        "firstName": owner.first_name,
        "lastName": owner.last_name,
        "userId": user.pk if active else None,
        "userIdIncludingInactive": user.pk if user is not None else None,
        "teams": teams.get(owner.user_id, []) if owner.user_id else [],
    }


def _page(request):
    require_scope(request, SCOPE)
    limit = integer(request, "limit", 100, maximum=MAX_LIMIT)
    qs = (
        Owner.objects.select_related("user")
        .filter(archived=boolean(request, "archived"))
        .order_by("pk")
    )
    email = (request.GET.get("email") or "").strip()
    if email:
        qs = qs.filter(email__iexact=email)
    after = cursor(request.GET.get("after"))
    if after is not None:
        qs = qs.filter(pk__gte=after)
    page = list(qs[: limit + 1])
    more = len(page) > limit
    if more:
        next_after = str(page[limit].pk)
        page = page[:limit]
    teams = _teams(page)
    body = {"results": [owner_body(o, teams) for o in page]}
    if more:
        body["paging"] = next_page(request, next_after)
    return respond(body)


@collection_root(
    router,
    "GET",
    "List owners",
    openapi_extra=docs.op(
        query=("email", "limit", "after", "archived"), answer="CollectionResponsePublicOwner"
    ),
)
def get_page(request):
    return _page(request)


@router.get(
    "/{owner_id}",
    summary="Read an owner by id or user id",
    openapi_extra=docs.op(query=("idProperty", "archived"), answer="PublicOwner"),
)
def get_by_id(request, owner_id: str):
    require_scope(request, SCOPE)
    id_property = request.GET.get("idProperty") or "id"
    if id_property not in ("id", "userId"):
        raise ApiError(400, f"idProperty={id_property!r} is not one of id, userId.")
    number = digits(owner_id)  # past any id: no owner has it (404)
    if number is None:
        raise ApiError(400, f"ownerId {owner_id!r} is not an integer.")
    field = "pk" if id_property == "id" else "user_id"
    owner = (
        Owner.objects.select_related("user")
        .filter(**{field: number}, archived=boolean(request, "archived"))
        .first()
    )
    if owner is None:
        raise ApiError(
            404,
            f"No owner with {id_property} {owner_id}.",
            "OBJECT_NOT_FOUND",
            context={"id": [owner_id]},
        )
    return respond(owner_body(owner, _teams([owner])))
