"""What Comptoir tells users about (SET-7): each kind's label, defaults and title.

Titles are written when shown, from the names stored in `params` when the notification
was made, so each reader sees them in their own language. Email opened / new prospect
come with the sales tools (new prospect: TOOL-6)."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from comptoir.core.history.source import automation_author
from comptoir.core.objects.registry import UnknownObjectType, get_object_type
from comptoir.users.teams_and_roles import is_settings_admin

ASSIGNED = "assigned"
TASK_DUE = "task_due"
TASK_OVERDUE = "task_overdue"
MENTION = "mention"
EXPORT_READY = "export_ready"
EMAIL_FAILED = "email_failed"
WEBHOOKS_DISABLED = "webhooks_disabled"
EMAIL_BOUNCED = "email_bounced"
INBOUND_REFUSED = "inbound_refused"
EMAIL_OPENED = "email_opened"
EMAIL_CLICKED = "email_clicked"
EMAIL_REPLIED = "email_replied"
NEW_PROSPECT = "new_prospect"
# Where a new prospect's notice leads: the Prospects page (Sales tools > Prospects).
PROSPECTS = "prospects"
DOCUMENT_VIEWED = "document_viewed"
# Where the email-tracking notices lead: the activity feed (Sales tools > Notifications).
EMAIL_ACTIVITY = "email_activity"

# An owner change notifies the new owner on the types whose description says `assignable`.


@dataclass(frozen=True)
class Kind:
    key: str
    label: object
    description: object
    in_app: bool = True  # default channels, until the user chooses
    email: bool = True


KINDS = {
    kind.key: kind
    for kind in (
        Kind(
            ASSIGNED,
            _lazy("Record assigned to me"),
            _lazy("Someone else makes you the owner of a contact, company, deal or task."),
        ),
        Kind(
            TASK_DUE,
            _lazy("Task due soon"),
            _lazy("One of your open tasks is due within the hour."),
        ),
        Kind(
            TASK_OVERDUE,
            _lazy("Task overdue"),
            _lazy("One of your open tasks is past its due date."),
            email=False,
        ),
        Kind(
            MENTION,
            _lazy("@mention in a note"),
            _lazy("A teammate mentions you in a note."),
        ),
        Kind(
            EXPORT_READY,
            _lazy("Export ready"),
            _lazy("A list you exported is ready to download."),
            email=False,
        ),
        Kind(
            EMAIL_FAILED,
            _lazy("Email not sent"),
            _lazy("An email you sent from Comptoir could not be delivered to the server."),
        ),
        Kind(
            WEBHOOKS_DISABLED,
            _lazy("Webhooks switched off"),
            _lazy("The webhooks of one of your API tokens kept failing and were switched off."),
        ),
        Kind(
            EMAIL_BOUNCED,
            _lazy("Email bounced"),
            _lazy("The recipient's server sent back an email you sent from Comptoir."),
        ),
        Kind(
            INBOUND_REFUSED,
            _lazy("Logging address refused a sender"),
            _lazy(
                "Someone who is not a Comptoir user wrote to the BCC or forwarding address "
                "(administrators)."
            ),
            email=False,
        ),
        Kind(
            EMAIL_OPENED,
            _lazy("Email opened"),
            _lazy("Someone opens an email you sent from Comptoir with tracking on."),
            email=False,
        ),
        Kind(
            EMAIL_CLICKED,
            _lazy("Link clicked"),
            _lazy("Someone clicks a link in an email you sent from Comptoir."),
            email=False,
        ),
        Kind(
            EMAIL_REPLIED,
            _lazy("Email replied"),
            _lazy("A contact replies to an email you sent from Comptoir."),
            email=False,
        ),
        Kind(
            DOCUMENT_VIEWED,
            _lazy("Document viewed"),
            _lazy("Someone opens a link to one of your documents for the first time."),
            email=False,
        ),
        Kind(
            NEW_PROSPECT,
            _lazy("New prospect"),
            _lazy(
                "A company visits the website for the first time (Prospects: its "
                "subscribers and the company's owner)."
            ),
            email=False,
        ),
    )
}


def _known(object_type: str):
    try:
        return get_object_type(object_type)
    except UnknownObjectType:
        return None


def _assigned_one(object_type: str) -> str:
    """Each assignable type words its title (ObjectType.assigned_one)."""
    ot = _known(object_type)
    if ot is not None and ot.assigned_one:
        return str(ot.assigned_one)
    return _("%(actor)s assigned you %(record)s")


def _assigned_many(object_type: str, count: int):
    ot = _known(object_type)
    if ot is not None and ot.assigned_many:
        return ot.assigned_many  # ngettext_lazy: the count comes with the values
    contacts = _known("contacts")
    return contacts.assigned_many if contacts else str(count)


def title(notification) -> str:
    """The sentence shown in the bell, the list and the email subject (active language)."""
    params = notification.params or {}
    values = {
        "actor": automation_author(params["automation"])
        if "automation" in params
        else params.get("actor") or "Comptoir",
        "record": params.get("record") or "#%s" % (notification.object_id or ""),
        "count": params.get("count") or 0,
    }
    kind = notification.kind
    if kind == ASSIGNED:
        if notification.object_id is None:
            return _assigned_many(notification.object_type, values["count"]) % values
        return _assigned_one(notification.object_type) % values
    if kind == TASK_DUE:
        return _("Task due within the hour: %(record)s") % values
    if kind == TASK_OVERDUE:
        return _("Task overdue: %(record)s") % values
    if kind == MENTION:
        return _("%(actor)s mentioned you in a note on %(record)s") % values
    if kind == EXPORT_READY:
        return _("Your export %(record)s is ready to download") % values
    if kind == EMAIL_FAILED:
        return _("Your email “%(record)s” could not be sent") % values
    if kind == WEBHOOKS_DISABLED:
        return _("The webhooks of “%(record)s” were switched off") % values
    if kind == EMAIL_BOUNCED:
        return _("Your email “%(record)s” bounced") % values
    if kind == INBOUND_REFUSED:
        return _("Mail from %(record)s to the logging address was refused") % values
    if kind == EMAIL_OPENED:
        return _("%(who)s opened “%(record)s”") % {**values, "who": params.get("who") or "?"}
    if kind == EMAIL_CLICKED:
        return _("%(who)s clicked a link in “%(record)s”") % {
            **values,
            "who": params.get("who") or "?",
        }
    if kind == EMAIL_REPLIED:
        return _("%(who)s replied to “%(record)s”") % {**values, "who": params.get("who") or "?"}
    if kind == NEW_PROSPECT:
        return _("New prospect on the website: %(record)s") % values
    if kind == DOCUMENT_VIEWED:
        return _("%(who)s opened your document “%(record)s”") % {
            **values,
            "who": params.get("who") or _("Someone"),
        }
    return str(KINDS[kind].label) if kind in KINDS else kind


def record_url(notification) -> str:
    """Where the notification leads: its record, or the list of what was assigned."""
    object_type, pk = notification.object_type, notification.object_id
    if not object_type:
        return reverse("notifications:list")
    if object_type == "outbound_emails":
        return reverse("mail:scheduled")
    if object_type == "webhook_apps":
        # Only administrators open an app's webhooks; its token's owner sees their tokens.
        if is_settings_admin(notification.recipient):
            return reverse("settings:webhook_app", args=[pk])
        return reverse("settings:api_tokens")
    if object_type == "inbound_messages":
        return reverse("settings:email")
    if object_type == PROSPECTS:
        return reverse("prospects:detail", args=[pk])
    if object_type == EMAIL_ACTIVITY:
        return reverse("salestools:activity")
    if object_type == "exports":
        return reverse("imports:export", args=[pk])
    if object_type == "tasks":
        base = reverse("tasks:list")
        return f"{base}?edit={pk}" if pk else f"{base}?owner=me"
    if pk:
        return reverse(f"{object_type}:detail", args=[pk])
    return reverse(f"{object_type}:list") + "?view=mine"
