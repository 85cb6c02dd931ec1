"""The write path of Settings > Users & teams and Profile (comptoir.users: invitations,
deactivation, teams_and_roles, profile): every refusal names its field and changes nothing."""

import re
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from comptoir.core.history.models import PropertyChange
from comptoir.core.history.source import ChangeSource
from comptoir.core.objects.registry import crm_names
from comptoir.core.permissions import scoped_objects
from comptoir.core.records.values import base_queryset
from comptoir.core.testing.factories import make_activity, make_contact, make_deal, make_user
from comptoir.core.testing.smtp import smtp_server
from comptoir.users import deactivation, invitations, teams_and_roles
from comptoir.users import profile as user_profile
from comptoir.users.models import Owner, Role, Team, TeamMembership, User
from comptoir.users.roles import SALES_REP, SALES_REP_PRIVATE, SUPER_ADMIN
from comptoir.users.services import UserError, create_user

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff"
    b"\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def admin():
    return create_user("boss@example.com", "Str0ng-pass-1", first_name="Bea", is_admin=True)


@pytest.fixture
def inbox(settings):
    with smtp_server(settings) as inbox:
        yield inbox


def scopes(view="all", edit="owned"):
    return {name: {"view": view, "edit": edit} for name in scoped_objects()}


# -- invitations ------------------------------------------------------------------------------


def test_an_invitation_link_lets_the_invitee_choose_a_password_and_sign_in(admin, inbox):
    user = invitations.invite_user(
        "New.Rep@Example.com",
        first_name="Nora",
        last_name="Petit",
        role=SALES_REP,
        team="Lyon",
        invited_by=admin,
        base_url="http://testserver/",
    )
    assert (user.email, invitations.user_state(user)) == ("new.rep@example.com", "invited")
    assert user.role.name == SALES_REP and [t.name for t in user.teams.all()] == ["Lyon"]
    assert Owner.objects.get(user=user).first_name == "Nora"
    [message] = inbox.messages
    assert message["To"] == "new.rep@example.com"
    body = message.get_content()
    link = re.search(r"http://testserver(/invitation/\S+)", body).group(1)

    client = Client()
    page = client.get(link, follow=True)
    assert "Choose a password" in page.content.decode() or "Choisissez" in page.content.decode()
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link
    done = client.post(
        form_url,
        {"new_password1": "Fresh-pass-987", "new_password2": "Fresh-pass-987"},
        follow=True,
    )
    assert done.status_code == 200
    assert done.wsgi_request.user.email == "new.rep@example.com"
    user.refresh_from_db()
    assert invitations.user_state(user) == "active" and user.check_password("Fresh-pass-987")
    # The link works once.
    again = Client().get(link, follow=True)
    assert "expired" in again.content.decode() or "expiré" in again.content.decode()


def test_inviting_an_existing_address_is_refused_on_the_email_field(admin, inbox):
    make_user("taken@example.com")
    invitations.invite_user("pending@example.com", invited_by=admin)
    before = User.objects.count()
    for email, words in (
        ("TAKEN@example.com", "already has an account"),
        ("pending@example.com", "already invited"),
        ("not an email", "valid email"),
    ):
        with pytest.raises(UserError, match=words) as caught:
            invitations.invite_user(email, invited_by=admin)
        assert caught.value.field == "email"
    assert User.objects.count() == before and len(inbox.messages) == 1


def test_an_invitation_with_an_unknown_role_changes_nothing(admin, inbox):
    with pytest.raises(UserError) as caught:
        invitations.invite_user("x@example.com", role="Astronaut")
    assert caught.value.field == "role"
    assert not User.objects.filter(email="x@example.com").exists() and not inbox.messages


def test_resending_works_only_while_invited(admin, inbox):
    user = invitations.invite_user("late@example.com", invited_by=admin)
    invitations.send_invitation(user, invited_by=admin)
    assert [m["To"] for m in inbox.messages] == ["late@example.com"] * 2
    with pytest.raises(UserError, match="already chosen a password"):
        invitations.send_invitation(admin)
    deactivation.deactivate(user)
    with pytest.raises(UserError, match="reactivate them first"):
        invitations.send_invitation(User.objects.get(pk=user.pk))
    assert len(inbox.messages) == 2


# -- deactivation -----------------------------------------------------------------------------


def test_deactivation_hands_records_and_open_tasks_over_with_history(admin):
    leaving = make_user("leaving@example.com")
    heir = make_user("heir@example.com")
    mine = str(leaving.owner.pk)
    contact = make_contact(email="c@example.com", hubspot_owner_id=mine)
    deal = make_deal(hubspot_owner_id=mine)
    open_task = make_activity("tasks", hs_task_subject="Call", hubspot_owner_id=mine)
    done_task = make_activity(
        "tasks", hs_task_subject="Done", hubspot_owner_id=mine, hs_task_status="COMPLETED"
    )
    # Every CRM record type counts (0 for those the user owns none of), and open tasks.
    held = {**dict.fromkeys(crm_names(), 0), "contacts": 1, "deals": 1, "tasks": 1}
    assert deactivation.holdings(leaving) == held

    moved = deactivation.deactivate(leaving, transfer_to=heir, source=ChangeSource.for_user(admin))
    assert moved == held
    heirs = str(heir.owner.pk)
    for name, record in (("contacts", contact), ("deals", deal), ("tasks", open_task)):
        record = base_queryset(name).get(pk=record.pk)
        assert record.hubspot_owner_id == int(heirs)
        change = PropertyChange.objects.filter(
            object_id=record.pk, property="hubspot_owner_id"
        ).latest("changed_at")
        assert change.value == heirs and change.actor_id == admin.pk
    assert base_queryset("tasks").get(pk=done_task.pk).hubspot_owner_id == int(mine)
    leaving.refresh_from_db()
    assert invitations.user_state(leaving) == "deactivated"
    assert Owner.objects.get(user=leaving).archived

    deactivation.reactivate(leaving)
    leaving.refresh_from_db()
    assert (
        invitations.user_state(leaving) == "active" and not Owner.objects.get(user=leaving).archived
    )


def test_deactivation_refusals_change_nothing(admin):
    rep = make_user("rep@example.com")
    gone = make_user("gone@example.com")
    deactivation.deactivate(gone)
    contact = make_contact(email="c@example.com", hubspot_owner_id=str(rep.owner.pk))
    with pytest.raises(UserError) as caught:
        deactivation.deactivate(rep, transfer_to=rep)
    assert caught.value.field == "transfer_to"
    with pytest.raises(UserError, match="deactivated") as caught:
        deactivation.deactivate(rep, transfer_to=User.objects.get(pk=gone.pk))
    assert caught.value.field == "transfer_to"
    # The last one who can manage settings stays.
    with pytest.raises(UserError, match="last user who can manage settings"):
        deactivation.deactivate(admin, transfer_to=rep)
    assert User.objects.get(pk=admin.pk).is_active and User.objects.get(pk=rep.pk).is_active
    assert base_queryset("contacts").get(pk=contact.pk).hubspot_owner_id == rep.owner.pk
    # With a second admin, the first may go.
    make_user("boss2@example.com", role=SUPER_ADMIN)
    deactivation.deactivate(admin)
    assert not User.objects.get(pk=admin.pk).is_active


def test_change_user_sets_role_and_teams_and_keeps_a_settings_admin(admin):
    rep = make_user("rep@example.com", role=SALES_REP, team="Paris")
    lyon, nice = Team.objects.create(name="Lyon"), Team.objects.create(name="Nice")
    manager = Role.objects.get(name="Sales manager")
    teams_and_roles.change_user(rep, role=manager, teams=[nice, lyon])
    rep.refresh_from_db()
    assert rep.role == manager
    memberships = {m.team.name: m.primary for m in TeamMembership.objects.filter(user=rep)}
    assert memberships == {"Nice": True, "Lyon": False}

    chief = make_user("chief@example.com", role=SUPER_ADMIN)
    User.objects.filter(pk=admin.pk).update(is_active=False)
    with pytest.raises(UserError, match="last user who can manage settings") as caught:
        teams_and_roles.change_user(chief, role=manager, teams=[])
    assert caught.value.field == "role"
    assert User.objects.get(pk=chief.pk).role.name == SUPER_ADMIN


# -- teams and roles --------------------------------------------------------------------------


def test_teams_are_created_renamed_given_members_and_deleted(admin):
    ana, bob = make_user("ana@example.com"), make_user("bob@example.com")
    paris = teams_and_roles.save_team(None, "  Paris ", [ana, bob])
    assert paris.name == "Paris" and set(paris.members.all()) == {ana, bob}
    teams_and_roles.save_team(paris, "Paris Nord", [ana])
    paris.refresh_from_db()
    assert paris.name == "Paris Nord" and list(paris.members.all()) == [ana]
    for name, words in (("", "needs a name"), ("paris nord", "already exists")):
        with pytest.raises(UserError, match=words) as caught:
            teams_and_roles.save_team(None, name, [])
        assert caught.value.field == "name"
    assert Team.objects.count() == 1
    teams_and_roles.delete_team(paris)
    assert not Team.objects.exists() and User.objects.filter(pk=ana.pk).exists()


def test_custom_roles_are_checked_and_built_in_roles_are_read_only(admin):
    role = teams_and_roles.save_role(
        None, "Assistant", scopes("team", "owned"), {"can_export": True, "bogus": True}
    )
    assert role.scopes["deals"] == {"view": "team", "edit": "owned"}
    assert role.can_export and not role.can_import
    count = Role.objects.count()
    wide = scopes("owned", "owned")
    wide["deals"] = {"view": "team", "edit": "all"}
    for name, given, field, words in (
        ("   ", scopes(), "name", "needs a name"),
        ("assistant", scopes(), "name", "already exists"),
        ("Wide", wide, "deals", "cannot be wider"),
        ("Odd", scopes("everyone", "owned"), "contacts", "Choose"),
    ):
        with pytest.raises(UserError, match=words) as caught:
            teams_and_roles.save_role(None, name, given, {})
        assert caught.value.field == field
    assert Role.objects.count() == count
    with pytest.raises(UserError, match="Built-in"):
        teams_and_roles.save_role(Role.objects.get(name=SALES_REP_PRIVATE), "Mine", scopes(), {})
    with pytest.raises(UserError, match="Built-in"):
        teams_and_roles.delete_role(Role.objects.get(name=SALES_REP))
    user = make_user("assistant@example.com", role="Assistant")
    with pytest.raises(UserError, match="still have this role"):
        teams_and_roles.delete_role(role)
    teams_and_roles.change_user(user, role=Role.objects.get(name=SALES_REP), teams=[])
    teams_and_roles.delete_role(role)
    assert not Role.objects.filter(name="Assistant").exists()


def test_a_custom_settings_role_keeps_its_right_while_it_holds_the_only_admins(admin):
    role = teams_and_roles.save_role(
        None, "Ops", scopes("all", "all"), {"can_manage_settings": True}
    )
    ops = make_user("ops@example.com", role="Ops")
    User.objects.filter(pk=admin.pk).update(is_active=False)
    with pytest.raises(UserError) as caught:
        teams_and_roles.save_role(role, "Ops", scopes("all", "all"), {})
    assert caught.value.field == "can_manage_settings"
    assert Role.objects.get(pk=role.pk).can_manage_settings
    # A super user holding that role is still an admin: then the right may go.
    User.objects.filter(pk=ops.pk).update(is_superuser=True)
    teams_and_roles.save_role(role, "Ops", scopes("all", "all"), {})
    assert not Role.objects.get(pk=role.pk).can_manage_settings


# -- profile ----------------------------------------------------------------------------------


def test_profile_fields_and_owner_name_follow(admin):
    user_profile.update_profile(
        admin,
        first_name=" Béa ",
        last_name="Durand",
        job_title="CEO",
        phone="+33 1 23",
        language="fr",
        email_signature="Béa\n  Comptoir",
    )
    admin.refresh_from_db()
    assert (admin.first_name, admin.language, admin.email_signature) == (
        "Béa",
        "fr",
        "Béa\n  Comptoir",
    )
    assert Owner.objects.get(user=admin).last_name == "Durand"
    with pytest.raises(UserError) as caught:
        user_profile.update_profile(admin, language="de")
    assert caught.value.field == "language" and User.objects.get(pk=admin.pk).language == "fr"


def test_a_photo_must_be_an_image(admin):
    from django.core.files.storage import default_storage as storage

    from comptoir.core.files.stored import walk

    with pytest.raises(UserError, match="PNG, JPEG") as caught:
        user_profile.set_photo(admin, SimpleUploadedFile("me.png", b"%PDF-1.4 not an image"))
    assert caught.value.field == "photo"
    assert not User.objects.get(pk=admin.pk).photo and not list(walk())
    big = SimpleUploadedFile("big.png", PNG + b"\0" * user_profile.PHOTO_MAX_BYTES)
    with pytest.raises(UserError, match="2 MB"):
        user_profile.set_photo(admin, big)

    user_profile.set_photo(admin, SimpleUploadedFile("me.png", PNG))
    first = User.objects.get(pk=admin.pk).photo.name
    assert first.endswith(".png") and storage.open(first).read() == PNG
    user_profile.set_photo(admin, BytesIOUpload(PNG))
    second = User.objects.get(pk=admin.pk).photo.name
    assert second != first and not storage.exists(first)
    user_profile.remove_photo(admin)
    assert not User.objects.get(pk=admin.pk).photo and not storage.exists(second)


class BytesIOUpload(BytesIO):
    """What a form hands over, minus the name (set_photo names the file itself)."""

    @property
    def size(self):
        return len(self.getvalue())


def test_a_large_hand_over_runs_in_the_worker_with_history(admin, monkeypatch):
    from django.core.management import call_command

    leaving = make_user("leaving@example.com")
    heir = make_user("heir@example.com")
    contacts = [
        make_contact(email=f"c{n}@example.com", hubspot_owner_id=str(leaving.owner.pk))
        for n in range(3)
    ]
    moved = deactivation.deactivate(
        leaving, transfer_to=heir, source=ChangeSource.for_user(admin), later=True
    )
    # Deactivated at once; the records wait for the worker.
    assert moved == {} and not User.objects.get(pk=leaving.pk).is_active
    assert base_queryset("contacts").filter(hubspot_owner_id=leaving.owner.pk).count() == 3
    # The worker closes idle connections between tasks; here that would be the test's own.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    call_command("worker", batch=True, no_scheduler=True, verbosity=0)
    for contact in contacts:
        assert base_queryset("contacts").get(pk=contact.pk).hubspot_owner_id == heir.owner.pk
        change = PropertyChange.objects.filter(
            object_id=contact.pk, property="hubspot_owner_id"
        ).latest("changed_at")
        assert change.actor_id == admin.pk
