"""Who and what is behind a write: carried by every service call into history."""

import uuid
from dataclasses import dataclass, field

from comptoir.core.history.models import SourceType


@dataclass(frozen=True)
class ChangeSource:
    type: str = SourceType.CRM_UI
    id: str | None = None  # token id, import id, automation name...
    actor_id: int | None = None  # the user acting
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def derived(self, type: str, id: str | None = None) -> "ChangeSource":
        """Same actor and request, another source type (automations triggered by a write)."""
        return ChangeSource(type=type, id=id, actor_id=self.actor_id, request_id=self.request_id)

    @classmethod
    def for_user(cls, user, type: str = SourceType.CRM_UI, id: str | None = None):
        return cls(type=type, id=id, actor_id=getattr(user, "pk", None))
