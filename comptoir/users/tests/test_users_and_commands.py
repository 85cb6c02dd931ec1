"""Users, owners, teams, tokens and the console commands around them (OBJ-6)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from comptoir.users.models import ApiToken, Owner, User
from comptoir.users.services import (
    UserError,
    authenticate_token,
    create_token,
    create_user,
    deactivate_user,
    revoke_token,
)

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_every_user_is_an_owner_with_its_own_id_and_teams():
    User.objects.create(email="filler@example.com")  # shift user ids away from owner ids
    user = create_user("Ana@Example.com", "Str0ng-pass-1", first_name="Ana", team="Paris")
    owner = Owner.objects.get(user=user)
    assert user.email == "ana@example.com"
    assert (owner.email, owner.first_name, owner.type) == ("ana@example.com", "Ana", "PERSON")
    assert owner.pk != user.pk
    assert [t.name for t in user.teams.all()] == ["Paris"]


def test_create_user_command_and_its_errors():
    output = run(
        "create_user",
        "--email",
        "bob@example.com",
        "--password",
        "Str0ng-pass-1",
        "--admin",
        "--first-name",
        "Bob",
    )
    assert "bob@example.com" in output
    assert User.objects.get(email="bob@example.com").is_superuser
    with pytest.raises(CommandError, match="already exists"):
        run("create_user", "--email", "bob@example.com", "--password", "Str0ng-pass-1")
    with pytest.raises(CommandError, match="email"):
        run("create_user", "--email", "not-an-email", "--password", "Str0ng-pass-1")
    with pytest.raises(CommandError, match="password"):
        run("create_user", "--email", "weak@example.com", "--password", "123")
    assert User.objects.count() == 1


def test_create_token_prints_only_the_token_which_is_stored_hashed():
    user = create_user("tok@example.com", "Str0ng-pass-1")
    output = run(
        "create_token",
        "--user",
        "tok@example.com",
        "--name",
        "Sync",
        "--scopes",
        "crm.objects.contacts.read,crm.objects.contacts.write",
    )
    raw = output.strip()
    assert raw.startswith("pat-") and "\n" not in raw
    token = ApiToken.objects.get(user=user)
    assert token.token_hash != raw and raw not in token.token_hash
    assert token.scopes == ["crm.objects.contacts.read", "crm.objects.contacts.write"]
    assert authenticate_token(raw) == token
    assert authenticate_token(raw + "x") is None


def test_create_token_errors_name_the_problem():
    create_user("tok@example.com", "Str0ng-pass-1")
    with pytest.raises(CommandError, match="no user"):
        run("create_token", "--user", "nobody@example.com")
    with pytest.raises(CommandError, match=r"crm\.objects\.unicorns\.read"):
        run("create_token", "--user", "tok@example.com", "--scopes", "crm.objects.unicorns.read")
    assert not ApiToken.objects.exists()


def test_tokens_of_deactivated_users_stop_working():
    user = create_user("gone@example.com", "Str0ng-pass-1")
    _, raw = create_token(user)
    assert authenticate_token(raw) is not None
    deactivate_user(user)
    assert authenticate_token(raw) is None
    with pytest.raises(UserError):
        create_token(User.objects.get(pk=user.pk))


def test_serve_refuses_a_bad_bind():
    with pytest.raises(CommandError, match="host:port"):
        run("serve", "--bind", "nonsense")


def test_revoked_tokens_stop_working_at_once():
    user = create_user("rev@example.com", "Str0ng-pass-1")
    token, raw = create_token(user)
    assert authenticate_token(raw) == token
    revoke_token(token)
    assert authenticate_token(raw) is None


def test_create_user_command_with_a_role_and_a_team():
    from comptoir.core.permissions import view_scope
    from comptoir.users.models import Team
    from comptoir.users.roles import SALES_REP_PRIVATE

    output = run(
        "create_user",
        "--email",
        "rita@example.com",
        "--password",
        "Str0ng-pass-1",
        "--role",
        SALES_REP_PRIVATE,
        "--team",
        "Lyon",
    )
    assert "rita@example.com" in output
    rita = User.objects.get(email="rita@example.com")
    assert rita.role.name == SALES_REP_PRIVATE and not rita.is_superuser
    assert view_scope(rita, "contacts") == "owned"
    assert [t.name for t in rita.teams.all()] == ["Lyon"]
    # A second user joins the same team rather than a copy of it.
    run("create_user", "--email", "max@example.com", "--password", "Str0ng-pass-1", "--team=Lyon")
    assert Team.objects.get(name="Lyon").members.count() == 2
    assert User.objects.get(email="max@example.com").role.name == "Sales rep"  # the default


def test_create_user_command_refuses_a_bad_role_or_team_and_creates_nothing():
    from comptoir.users.models import Team

    base = ["create_user", "--email", "x@example.com", "--password", "Str0ng-pass-1"]
    with pytest.raises(CommandError, match=r"role: no role named 'Astronaut' \(known: .*Sales rep"):
        run(*base, "--role", "Astronaut")
    with pytest.raises(CommandError, match="team: a team needs a name"):
        run(*base, "--team", "  ")
    with pytest.raises(CommandError, match="team: a team name has at most 150 characters"):
        run(*base, "--team", "L" * 151)
    assert not User.objects.exists() and not Owner.objects.exists()
    assert not Team.objects.exists()
