"""Settings > Users & teams (SET-5): admins only; every action through the pages."""

import re

import pytest
from django.test import Client

from comptoir.core.history.models import PropertyChange
from comptoir.core.permissions import scoped_objects
from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import make_activity, make_contact, make_user
from comptoir.core.testing.html import select
from comptoir.core.testing.smtp import smtp_server
from comptoir.users import deactivation, invitations, teams_and_roles
from comptoir.users.models import Role, Team, User
from comptoir.users.roles import SALES_MANAGER, SALES_REP, SALES_REP_PRIVATE
from comptoir.users.services import create_user

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "/settings/team/",
    "/settings/team/invite/",
    "/settings/team/teams/",
    "/settings/team/teams/new/",
    "/settings/team/roles/",
    "/settings/team/roles/new/",
]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def text(response) -> str:
    return response.content.decode()


def field_error(response, field: str) -> str:
    """The message shown under a form field (by its error element's id)."""
    found = select(response, f"#id_{field}_error")
    assert found, f"no error on {field}"
    return found[0].text


@pytest.fixture
def admin():
    return create_user("boss@example.com", "Str0ng-pass-1", first_name="Bea", is_admin=True)


@pytest.fixture
def inbox(settings):
    with smtp_server(settings) as inbox:
        yield inbox


def test_a_sales_rep_gets_404_and_no_menu_entry_but_sees_profile_and_tokens(admin):
    rep = client_for(make_user("rep@example.com", role=SALES_REP))
    target = make_user("other@example.com")
    role = Role.objects.get(name=SALES_REP)
    paths = [
        *ADMIN_PAGES,
        f"/settings/team/users/{target.pk}/",
        f"/settings/team/users/{target.pk}/deactivate/",
        f"/settings/team/roles/{role.pk}/",
    ]
    for path in paths:
        assert rep.get(path).status_code == 404, path
    assert rep.post(f"/settings/team/users/{target.pk}/deactivate/").status_code == 404
    assert User.objects.get(pk=target.pk).is_active
    profile = rep.get("/settings/profile/")
    assert profile.status_code == 200
    menu = text(profile).split('class="settings-menu"')[1].split("</nav>")[0]
    assert "Profile" in menu and "API tokens" in menu and "Users &amp; teams" not in menu
    assert rep.get("/settings/api-tokens/").status_code == 200
    # Without the API right, no tokens page either.
    no_api = teams_and_roles.save_role(
        None,
        "No API",
        {n: {"view": "owned", "edit": "owned"} for n in scoped_objects()},
        {},
    )
    quiet = make_user("quiet@example.com", role=no_api.name)
    page = client_for(quiet).get("/settings/profile/")
    assert "API tokens" not in text(page).split('class="settings-menu"')[1].split("</nav>")[0]
    assert client_for(quiet).get("/settings/api-tokens/").status_code == 404


def test_the_users_list_shows_role_teams_state_and_holdings(admin):
    rep = make_user("rep@example.com", first_name="Rita", role=SALES_REP, team="Lyon")
    make_contact(email="a@example.com", hubspot_owner_id=str(rep.owner.pk))
    make_contact(email="b@example.com", hubspot_owner_id=str(rep.owner.pk))
    gone = make_user("gone@example.com")
    deactivation.deactivate(gone)
    response = client_for(admin).get("/settings/team/")
    assert response.status_code == 200
    row = text(response).split('data-email="rep@example.com"')[1].split("</tr>")[0]
    assert "Rita" in row and SALES_REP in row and "Lyon" in row
    assert "Active" in row and "2 contacts" in row
    gone_row = text(response).split('data-email="gone@example.com"')[1].split("</tr>")[0]
    assert "Deactivated" in gone_row and "Reactivate" in gone_row


def test_invite_through_the_page_sends_a_working_link(admin, inbox):
    Team.objects.create(name="Lyon")
    lyon = Team.objects.get(name="Lyon")
    client = client_for(admin)
    response = client.post(
        "/settings/team/invite/",
        {
            "email": "nina@example.com",
            "first_name": "Nina",
            "last_name": "Roux",
            "role": SALES_REP,
            "team": lyon.pk,
        },
        follow=True,
    )
    assert "Invitation sent to nina@example.com" in text(response)
    row = text(response).split('data-email="nina@example.com"')[1].split("</tr>")[0]
    assert "Invited" in row and "Resend invitation" in row
    [message] = inbox.messages
    link = re.search(r"http://testserver(/invitation/\S+)", message.get_content()).group(1)

    invitee = Client()
    form = invitee.get(link, follow=True)
    assert "nina@example.com" in text(form)
    done = invitee.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Fresh-pass-987", "new_password2": "Fresh-pass-987"},
        follow=True,
    )
    assert done.wsgi_request.user.email == "nina@example.com"
    assert invitee.get("/contacts/").status_code == 200
    # She can sign in again with the password she chose.
    assert Client().login(email="nina@example.com", password="Fresh-pass-987")

    # Resend to someone still invited; refused once they are active.
    invitations.invite_user("late@example.com")
    late = User.objects.get(email="late@example.com")
    resent = client.post(f"/settings/team/users/{late.pk}/resend/", follow=True)
    assert "Invitation sent again" in text(resent) and len(inbox.messages) == 3
    nina = User.objects.get(email="nina@example.com")
    refused = client.post(f"/settings/team/users/{nina.pk}/resend/", follow=True)
    assert "already chosen a password" in text(refused) and len(inbox.messages) == 3


def test_invite_refusals_stay_on_the_field_and_change_nothing(admin, inbox):
    make_user("taken@example.com")
    client = client_for(admin)
    before = User.objects.count()
    response = client.post(
        "/settings/team/invite/", {"email": "Taken@Example.com", "role": SALES_REP}
    )
    assert response.status_code == 422
    assert "already has an account" in field_error(response, "email")
    assert 'value="Taken@Example.com"' in text(response)
    response = client.post(
        "/settings/team/invite/", {"email": "x@example.com", "role": "Astronaut"}
    )
    assert response.status_code == 422 and field_error(response, "role")
    # Through htmx the dialog comes back with the message.
    response = client.post(
        "/settings/team/invite/",
        {"email": "taken@example.com", "role": SALES_REP},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422 and "<dialog" in text(response)
    assert "already has an account" in field_error(response, "email")
    assert User.objects.count() == before and not inbox.messages
    ok = client.post(
        "/settings/team/invite/",
        {"email": "fine@example.com", "role": SALES_REP},
        HTTP_HX_REQUEST="true",
    )
    assert ok.status_code == 204 and ok["HX-Redirect"] == "/settings/team/"


def test_change_role_and_teams(admin):
    rep = make_user("rep@example.com", role=SALES_REP)
    lyon, nice = Team.objects.create(name="Lyon"), Team.objects.create(name="Nice")
    client = client_for(admin)
    page = client.get(f"/settings/team/users/{rep.pk}/")
    assert page.status_code == 200 and "rep@example.com" in text(page)
    manager = Role.objects.get(name=SALES_MANAGER)
    response = client.post(
        f"/settings/team/users/{rep.pk}/",
        {"role": manager.pk, "teams": [lyon.pk, nice.pk]},
        follow=True,
    )
    assert "was updated" in text(response)
    rep.refresh_from_db()
    assert rep.role == manager and {t.name for t in rep.teams.all()} == {"Lyon", "Nice"}


def test_deactivate_shows_holdings_and_hands_records_over_with_history(admin):
    leaving = make_user("leaving@example.com", first_name="Leo")
    heir = make_user("heir@example.com", first_name="Hana")
    contact = make_contact(email="c@example.com", hubspot_owner_id=str(leaving.owner.pk))
    make_activity("tasks", hs_task_subject="Call back", hubspot_owner_id=str(leaving.owner.pk))
    client = client_for(admin)
    page = client.get(f"/settings/team/users/{leaving.pk}/deactivate/")
    assert "1 contact" in text(page) and "1 open task" in text(page)
    assert "Hana" in text(page) and "heir@example.com" in text(page)
    response = client.post(
        f"/settings/team/users/{leaving.pk}/deactivate/", {"transfer_to": heir.pk}, follow=True
    )
    assert "Leo" in text(response) and "handed over to Hana" in text(response)
    assert not User.objects.get(pk=leaving.pk).is_active
    assert base_queryset("contacts").get(pk=contact.pk).hubspot_owner_id == heir.owner.pk
    change = PropertyChange.objects.filter(
        object_id=contact.pk, property="hubspot_owner_id"
    ).latest("changed_at")
    assert change.value == str(heir.owner.pk) and change.actor_id == admin.pk
    # Reactivate from the list.
    client.post(f"/settings/team/users/{leaving.pk}/reactivate/")
    assert User.objects.get(pk=leaving.pk).is_active


def test_the_last_settings_admin_keeps_access(admin):
    client = client_for(admin)
    response = client.post(f"/settings/team/users/{admin.pk}/deactivate/", follow=True)
    assert "cannot deactivate yourself" in text(response)
    assert "Deactivate Bea" not in text(client.get("/settings/team/"))
    assert User.objects.get(pk=admin.pk).is_active
    # A role-based admin, the only one left, cannot give themselves a role without it.
    chief = make_user("chief@example.com", role="Super admin")
    User.objects.filter(pk=admin.pk).update(is_active=False)
    rep_role = Role.objects.get(name=SALES_REP)
    response = client_for(chief).post(f"/settings/team/users/{chief.pk}/", {"role": rep_role.pk})
    assert response.status_code == 422
    assert "last user who can manage settings" in field_error(response, "role")
    assert User.objects.get(pk=chief.pk).role.name == "Super admin"


def test_teams_are_created_renamed_given_members_and_deleted_from_the_pages(admin):
    ana = make_user("ana@example.com", first_name="Ana")
    bob = make_user("bob@example.com", first_name="Bob")
    client = client_for(admin)
    assert "No teams yet" in text(client.get("/settings/team/teams/"))
    refused = client.post("/settings/team/teams/new/", {"name": " ", "members": [ana.pk]})
    assert refused.status_code == 422 and "A team needs a name" in field_error(refused, "name")
    assert not Team.objects.exists()
    done = client.post(
        "/settings/team/teams/new/", {"name": "Paris", "members": [ana.pk, bob.pk]}, follow=True
    )
    assert "Team “Paris” saved." in text(done)
    paris = Team.objects.get(name="Paris")
    row = text(done).split(f'href="/settings/team/teams/{paris.pk}/"')[1].split("</tr>")[0]
    assert "Ana" in row and "Bob" in row
    clash = client.post("/settings/team/teams/new/", {"name": "paris"})
    assert "already exists" in field_error(clash, "name")
    client.post(f"/settings/team/teams/{paris.pk}/", {"name": "Paris Nord", "members": [bob.pk]})
    paris.refresh_from_db()
    assert paris.name == "Paris Nord" and list(paris.members.all()) == [bob]
    assert client.get(f"/settings/team/teams/{paris.pk}/delete/").status_code == 405
    gone = client.post(f"/settings/team/teams/{paris.pk}/delete/", follow=True)
    assert "Team “Paris Nord” deleted." in text(gone) and not Team.objects.exists()
    assert User.objects.filter(pk=bob.pk, is_active=True).exists()


def role_data(name, **overrides):
    data = {"name": name}
    for obj in scoped_objects():
        data[f"{obj}_view"], data[f"{obj}_edit"] = "all", "owned"
    data.update(overrides)
    return data


def test_roles_are_created_edited_and_deleted_built_in_ones_read_only(admin):
    client = client_for(admin)
    listing = text(client.get("/settings/team/roles/"))
    for name in ("Super admin", "Sales manager", "Sales rep", "Sales rep – private"):  # noqa: RUF001
        assert name in listing
    count = Role.objects.count()
    nameless = client.post("/settings/team/roles/new/", role_data(""))
    assert nameless.status_code == 422
    assert "A role needs a name." in field_error(nameless, "name")
    wide = client.post(
        "/settings/team/roles/new/",
        role_data("Wide", deals_view="team", deals_edit="all", can_export="on"),
    )
    assert wide.status_code == 422
    assert "cannot be wider than the view scope" in field_error(wide, "deals_edit")
    assert Role.objects.count() == count

    done = client.post(
        "/settings/team/roles/new/",
        role_data("Assistant", deals_view="team", deals_edit="team", can_export="on"),
        follow=True,
    )
    assert "Role “Assistant” saved." in text(done)
    role = Role.objects.get(name="Assistant")
    assert role.scopes["deals"] == {"view": "team", "edit": "team"}
    assert role.can_export and not role.can_import
    edit = client.get(f"/settings/team/roles/{role.pk}/")
    assert 'value="Assistant"' in text(edit)
    client.post(f"/settings/team/roles/{role.pk}/", role_data("Assistant+", can_import="on"))
    role.refresh_from_db()
    assert role.name == "Assistant+" and role.can_import and not role.can_export

    # Built-in: shown read-only; a forged post changes nothing.
    private = Role.objects.get(name=SALES_REP_PRIVATE)
    page = text(client.get(f"/settings/team/roles/{private.pk}/"))
    assert "Built-in roles cannot be changed" in page and "<fieldset disabled>" in page
    client.post(f"/settings/team/roles/{private.pk}/", role_data("Hacked"))
    assert Role.objects.filter(name=SALES_REP_PRIVATE).exists()
    assert client.post(f"/settings/team/roles/{private.pk}/delete/").status_code == 302
    assert Role.objects.filter(pk=private.pk).exists()

    # A role in use is kept until its users have another.
    user = make_user("assistant@example.com", role="Assistant+")
    kept = client.post(f"/settings/team/roles/{role.pk}/delete/", follow=True)
    assert "still have this role" in text(kept) and Role.objects.filter(pk=role.pk).exists()
    teams_and_roles.change_user(user, role=Role.objects.get(name=SALES_REP), teams=[])
    gone = client.post(f"/settings/team/roles/{role.pk}/delete/", follow=True)
    assert "Role “Assistant+” deleted." in text(gone)
    assert not Role.objects.filter(pk=role.pk).exists()


def test_the_users_list_costs_the_same_queries_for_3_or_12_users(admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        client = client_for(admin)
        client.get("/settings/team/")  # warm the session and the role cache
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/settings/team/").status_code == 200
        return len(ctx.captured_queries)

    for n in range(2):
        make_user(f"few{n}@example.com", team="Lyon")
    few = count()
    for n in range(9):
        user = make_user(f"many{n}@example.com", team=f"T{n}")
        make_contact(email=f"c{n}@example.com", hubspot_owner_id=str(user.owner.pk))
    assert count() == few


def test_a_large_hand_over_is_announced_and_left_to_the_worker(admin, monkeypatch):
    from django.core.management import call_command

    monkeypatch.setattr("comptoir.settings_pages.team.HAND_OVER_INLINE", 1)
    leaving = make_user("leaving@example.com", first_name="Leo")
    heir = make_user("heir@example.com", first_name="Hana")
    for n in range(2):
        make_contact(email=f"c{n}@example.com", hubspot_owner_id=str(leaving.owner.pk))
    client = client_for(admin)
    response = client.post(
        f"/settings/team/users/{leaving.pk}/deactivate/", {"transfer_to": heir.pk}, follow=True
    )
    assert "2 contacts are being handed over to Hana" in text(response)
    row = text(response).split('data-email="leaving@example.com"')[1].split("</tr>")[0]
    assert "Deactivated" in row and "2 contacts" in row  # still theirs until the worker runs
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    call_command("worker", batch=True, no_scheduler=True, verbosity=0)
    row = text(client.get("/settings/team/")).split('data-email="leaving@example.com"')[1]
    assert "nothing" in row.split("</tr>")[0]
    assert base_queryset("contacts").filter(hubspot_owner_id=heir.owner.pk).count() == 2
