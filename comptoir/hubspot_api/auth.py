"""Private-app tokens (API-2): who is calling, with which scopes, at what rate."""

from django.utils import timezone
from ninja.security import HttpBearer

from comptoir.core.audit import log as audit
from comptoir.core.history.models import SourceType
from comptoir.core.history.source import ChangeSource
from comptoir.core.objects.registry import get_object_type
from comptoir.core.permissions import has_right
from comptoir.core.scopes import object_scope, schema_scope
from comptoir.hubspot_api.errors import ApiError
from comptoir.hubspot_api.ratelimit import check_rate
from comptoir.users.models import ApiToken
from comptoir.users.services import authenticate_token

SCOPES_DOC = "https://developers.hubspot.com/scopes"
# last_used_at is written at most this often per token, not on every request.
LAST_USED_GRANULARITY = 60


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        found = authenticate_token(token)
        if found is None:
            return None
        if not has_right(found.user, "can_use_api"):
            raise ApiError(403, "This user's role does not allow the API.", "FORBIDDEN")
        request.api_token = found
        request.user = found.user
        audit.acting(found.user, audit.current_ip())  # reset by AuditContextMiddleware
        request.ratelimit_headers = check_rate(found)
        now = timezone.now()
        last = found.last_used_at
        if not last or (now - last).total_seconds() > LAST_USED_GRANULARITY:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
            found.last_used_at = now  # the cached token too: one write a minute
        return found


def require_scope(request, *scopes: str) -> None:
    """403 MISSING_SCOPES unless the token holds at least one of `scopes`."""
    granted = set(request.api_token.scopes)
    if not granted.intersection(scopes):
        raise ApiError(
            403,
            "This app hasn't been granted all required scopes to make this call. "
            f"Read more about required scopes here: {SCOPES_DOC}.",
            "MISSING_SCOPES",
            errors=[
                {
                    "message": "One or more of the following scopes are required.",
                    "context": {"requiredGranularScopes": list(scopes)},
                }
            ],
            links={"scopes": SCOPES_DOC},
        )


def api_source(request) -> ChangeSource:
    """History source of this request: API, the token's id, the token's user."""
    token = request.api_token
    return ChangeSource(type=SourceType.API, id=str(token.pk), actor_id=token.user_id)


def schema_object_type(request, object_type: str, *, write: bool):
    """Object type of a properties or pipelines call, with HubSpot's scope rule: reading
    needs the object's read scope or its schema scope; writing the schema write scope."""
    ot = get_object_type(object_type)
    if write:
        require_scope(request, schema_scope(ot.name, True))
        if not has_right(request.user, "can_manage_settings"):
            raise ApiError(
                403, "Changing properties and pipelines needs the settings right.", "FORBIDDEN"
            )
    else:
        require_scope(request, object_scope(ot.name, False), schema_scope(ot.name, False))
    return ot
