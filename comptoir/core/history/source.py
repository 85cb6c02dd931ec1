"""Who and what is behind a write: carried by every service call into history."""

import uuid
from dataclasses import dataclass, field

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _lazy

from comptoir.core.history.models import SourceType

# What each automation (ChangeSource.id of an AUTOMATION source) is called where it shows
# as the author of a change: history, timeline, notifications (issue 14, point 13).
AUTOMATION_NAMES = {
    "sync_owner_contact_company": _lazy("owner sync"),
    "auto_associate_companies": _lazy("company association by email domain"),
    "sync_company_lifecycle_to_contacts": _lazy("lifecycle stage sync"),
    "lifecycle_on_deal_created": _lazy("lifecycle stage on deal creation"),
    "lifecycle_on_deal_won": _lazy("lifecycle stage on deal won"),
    "rollups": _lazy("rollups"),
}


def automation_author(automation_id: str | None) -> str:
    """An automation as the author of what it did: "Automation: owner sync"."""
    name = AUTOMATION_NAMES.get(automation_id or "")
    if name is None:
        return gettext("Automation")
    return gettext("Automation: %(name)s") % {"name": name}


@dataclass(frozen=True)
class ChangeSource:
    type: str = SourceType.CRM_UI
    id: str | None = None  # token id, import id, automation name...
    actor_id: int | None = None  # the user acting
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def derived(self, type: str, id: str | None = None) -> "ChangeSource":
        """Same actor and request, another source type (automations triggered by a write):
        the actor stays on record as who set the automation off, but an automation is shown
        as its own author (`automation_author`)."""
        return ChangeSource(type=type, id=id, actor_id=self.actor_id, request_id=self.request_id)

    @property
    def is_automation(self) -> bool:
        return self.type == SourceType.AUTOMATION

    @classmethod
    def for_user(cls, user, type: str = SourceType.CRM_UI, id: str | None = None):
        return cls(type=type, id=id, actor_id=getattr(user, "pk", None))
