"""Two private reps, Alice and Bruno, each with a contact, company, deal, task and note:
the world of the permission tests (UI, API, imports)."""

from django.test import Client

from comptoir.core.associations.services import associate
from comptoir.core.testing.factories import (
    UI,
    make_activity,
    make_company,
    make_contact,
    make_deal,
    make_user,
)
from comptoir.users.roles import SALES_REP_PRIVATE


def two_private_reps() -> dict:
    """{"alice", "bruno": users, "Aaa", "Bbb": {company, contact, deal, task, note}}.
    Bruno's contact also belongs to Alice's company (a cross-link that must not leak)."""
    alice = make_user("alice@example.com", first_name="Alice", role=SALES_REP_PRIVATE)
    bruno = make_user("bruno@example.com", first_name="Bruno", role=SALES_REP_PRIVATE)
    data = {"alice": alice, "bruno": bruno}
    for user, tag in ((alice, "Aaa"), (bruno, "Bbb")):
        owner = str(user.owner.pk)
        company = make_company(
            name=f"{tag} Corp", domain=f"{tag.lower()}corp.com", hubspot_owner_id=owner
        )
        contact = make_contact(
            email=f"{tag.lower()}@gmail.com",
            firstname=tag,
            lastname=f"{tag}son",
            hubspot_owner_id=owner,
        )
        deal = make_deal(
            dealname=f"{tag} deal",
            hubspot_owner_id=owner,
            associations=[("contacts", contact.pk, None)],
        )
        task = make_activity(
            "tasks",
            hs_task_subject=f"{tag} task",
            hubspot_owner_id=owner,
            hs_timestamp="2030-01-01T10:00:00Z",
            associations=[("contacts", contact.pk, None)],
        )
        note = make_activity(
            "notes",
            hs_note_body=f"{tag} secret note",
            hubspot_owner_id=owner,
            associations=[("contacts", contact.pk, None)],
        )
        data[tag] = {
            "company": company,
            "contact": contact,
            "deal": deal,
            "task": task,
            "note": note,
        }
    associate(
        "contacts", data["Bbb"]["contact"].pk, "companies", data["Aaa"]["company"].pk, source=UI
    )
    return data


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client
