"""The audit log (issue 19, point 6): each kind of event is written by the path that
makes it, with who and from where; the page lists and filters them for administrators
only; events are never changed nor deleted."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from comptoir.core.audit.models import AuditEvent
from comptoir.core.records.writes import create_record, purge_records
from comptoir.core.testing.factories import UI, make_user
from comptoir.core.testing.html import select
from comptoir.users.models import ApiToken, Role
from comptoir.users.services import create_token
from comptoir.users.teams_and_roles import change_user, save_team

pytestmark = pytest.mark.django_db
URL = "/settings/audit/"


def events(action=None):
    """(action, who, address, target) of the events, oldest first, the fixtures' users aside."""
    qs = AuditEvent.objects.order_by("id").exclude(action="user_created", actor_email="")
    if action:
        qs = qs.filter(action=action)
    return list(qs.values_list("action", "actor_email", "ip", "target"))


def test_sign_ins_failures_and_sign_outs(client, admin):
    admin.set_password("Un-mot-de-passe-solide")
    admin.save()
    client.post("/login/", {"username": admin.email, "password": "faux"}, REMOTE_ADDR="203.0.113.9")
    client.post(
        "/login/",
        {"username": admin.email, "password": "Un-mot-de-passe-solide"},
        REMOTE_ADDR="203.0.113.9",
    )
    client.post("/logout/", REMOTE_ADDR="203.0.113.9")
    assert events() == [
        ("sign_in_failed", "", "203.0.113.9", admin.email),
        ("sign_in", admin.email, "203.0.113.9", admin.email),
        ("sign_out", admin.email, "203.0.113.9", admin.email),
    ]


def test_changes_made_through_the_pages_name_who_made_them(admin_client, admin, rep):
    admin_client.post(
        "/settings/api-tokens/", {"name": "Sync", "scopes": ["crm.objects.contacts.read"]}
    )
    token = ApiToken.objects.get(name="Sync")
    admin_client.post(f"/settings/api-tokens/{token.pk}/revoke/")
    made = events("token_created") + events("token_revoked")
    assert [(a, who, ip) for a, who, ip, _t in made] == [
        ("token_created", admin.email, "127.0.0.1"),
        ("token_revoked", admin.email, "127.0.0.1"),
    ]
    assert made[0][3].startswith(f"Sync ({token.prefix}…, {admin.email})")


def test_each_service_writes_its_event(db):
    boss = make_user("boss@example.com", role="Super admin")
    user = make_user("lea@example.com")
    assert (
        AuditEvent.objects.filter(action="user_created").order_by("id").last().target
        == "lea@example.com"
    )
    change_user(
        user, role=Role.objects.get(name="Sales manager"), teams=[save_team(None, "Nord", [])]
    )
    assert [a for a, *_ in events()][-2:] == ["team_saved", "user_changed"]
    token, _raw = create_token(boss, "Robot")
    contact = create_record("contacts", {"email": "x@example.com"}, source=UI)
    purge_records("contacts", [contact.pk])
    event = AuditEvent.objects.get(action="records_deleted")
    assert (event.target, event.details) == ("contacts", {"count": 1, "ids": [contact.pk]})
    assert event.actor_email == ""  # no request: the system (a worker's purge)
    assert token


def test_an_export_is_audited(admin_client, admin):
    from comptoir.imports.exports import start_export

    start_export(admin, "contacts", "?filters=%5B%5D")
    assert events("export")[0][1] == admin.email


def test_events_are_never_changed_nor_deleted(db):
    make_user("lea@example.com")
    event = AuditEvent.objects.get()
    event.target = "someone else"
    with pytest.raises(ValueError, match="never changed"):
        event.save()
    with pytest.raises(ValueError, match="never deleted"):
        event.delete()
    if connection.vendor == "postgresql":  # and the database itself refuses
        for statement in ("UPDATE core_auditevent SET target = 'x'", "DELETE FROM core_auditevent"):
            with (
                pytest.raises(DatabaseError, match="append-only"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(statement)
    assert AuditEvent.objects.get().target == "lea@example.com"


def test_the_page_lists_filters_and_pages_for_admins_only(admin_client, rep):
    for i in range(55):
        make_user(f"u{i}@example.com")
    html = admin_client.get(URL).content.decode()
    rows = select(html, "tr[data-event]")
    assert len(rows) == 50 and rows[0].get("data-action") == "user_created"
    older = [a.get("href") for a in select(html, "a") if "before=" in (a.get("href") or "")]
    assert len(select(admin_client.get(URL + older[0]).content.decode(), "tr[data-event]")) >= 5
    html = admin_client.get(URL + "?who=u7@example.com").content.decode()
    assert len(select(html, "tr[data-event]")) == 1
    html = admin_client.get(URL + "?action=role_deleted").content.decode()
    assert "No event matches these filters." in html
    html = admin_client.get(URL + "?action=<script>&before=abc").content.decode()
    assert len(select(html, "tr[data-event]")) == 50 and "<script>" not in html
    admin_client.cookies["django_language"] = "fr"
    assert "Utilisateur créé" in admin_client.get(URL).content.decode()
    someone = Client()
    someone.force_login(rep)
    assert someone.get(URL).status_code == 404


def test_property_and_pipeline_changes_are_audited_in_the_admins_language(admin_client, admin):
    from comptoir.core.pipelines.services import create_pipeline
    from comptoir.core.properties.services import (
        archive_property,
        create_property,
        restore_property,
        update_property,
    )

    create_property(
        "contacts",
        {"name": "segment", "label": "Segment", "type": "string", "fieldType": "text",
         "groupName": "contactinformation"},
    )  # fmt: skip
    update_property("contacts", "segment", {"label": "Segment client"})
    archive_property("contacts", "segment")
    restore_property("contacts", "segment")
    create_pipeline("deals", {"label": "Partenaires", "stages": [
        {"label": "Premier contact", "displayOrder": 0, "metadata": {"probability": "0.1"}},
    ]})  # fmt: skip
    actions = list(
        AuditEvent.objects.filter(action__startswith="p")
        .order_by("id")
        .values_list("action", "target")
    )
    assert actions[:4] == [
        ("property_created", "contacts.segment"),
        ("property_changed", "contacts.segment"),
        ("property_archived", "contacts.segment"),
        ("property_restored", "contacts.segment"),
    ]
    assert ("pipeline_changed", "deals pipeline") in [(a, t[:14]) for a, t in actions[4:]]
    assert AuditEvent.objects.get(action="property_changed").details == {"changed": ["label"]}
    admin.language = "fr"
    admin.save(update_fields=["language"])
    html = admin_client.get("/settings/audit/").content.decode()
    assert "Propriété créée" in html and "libellé: Segment" in html
    assert "modifié: [&quot;label&quot;]" in html
