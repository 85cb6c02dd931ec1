"""Who sees and changes email templates (TOOL-3, SET-5): a private template is its owner's
alone (404 everywhere for anyone else, the composer's endpoints included); a shared one is
used by all and changed per the role's edit scope on emails."""

import pytest
from django.test import Client

from comptoir.core.permissions import scoped_objects
from comptoir.core.testing.factories import make_company, make_contact, make_deal, make_user
from comptoir.emailtemplates import services
from comptoir.emailtemplates.access import can_edit
from comptoir.emailtemplates.models import EmailTemplate
from comptoir.users.roles import SALES_MANAGER, SALES_REP, SALES_REP_PRIVATE
from comptoir.users.services import add_to_team
from comptoir.users.teams_and_roles import save_role

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def author():
    return make_user("author@example.com", role=SALES_MANAGER)


@pytest.fixture
def rep():
    return make_user("rep@example.com", role=SALES_REP_PRIVATE)


@pytest.fixture
def private(author):
    return services.create_template(
        author, name="Mine only", subject="Secret plan", body="<p>x</p>"
    )


@pytest.fixture
def shared(author):
    return services.create_template(
        author,
        name="Team intro",
        subject="Hi {{ contact.firstname }}",
        body="<p>y</p>",
        shared=True,
    )


def test_a_private_template_of_another_user_is_missing_everywhere(rep, private):
    client = signed_in(rep)
    base = f"/sales-tools/templates/{private.pk}/"
    for url in (base, f"{base}edit/", f"{base}render/", f"{base}contacts/?q=a"):
        assert client.get(url).status_code == 404, url
    for url in (f"{base}edit/", f"{base}duplicate/", f"{base}archive/", f"{base}restore/"):
        assert client.post(url, {"name": "stolen"}).status_code == 404, url
    # Exactly as a template that never existed.
    assert client.get("/sales-tools/templates/987654/").status_code == 404
    for listing in (
        "/sales-tools/templates/",
        "/sales-tools/templates/?archived=1",
        "/sales-tools/templates/picker/",
        "/sales-tools/templates/picker/?q=mine",
    ):
        html = client.get(listing).content.decode()
        assert "Mine only" not in html and "Secret plan" not in html, listing
    private.refresh_from_db()
    assert private.name == "Mine only" and not private.archived
    assert EmailTemplate.objects.count() == 1  # nothing duplicated


def test_a_shared_template_is_used_by_all_but_changed_per_role(rep, author, shared):
    client = signed_in(rep)
    base = f"/sales-tools/templates/{shared.pk}/"
    html = client.get(base).content.decode()
    assert "Team intro" in html and f'href="{base}edit/"' not in html
    assert "Team intro" in client.get("/sales-tools/templates/picker/").content.decode()
    assert client.get(f"{base}render/").status_code == 200
    # The rep's role changes only their own emails: not someone else's template.
    assert not can_edit(rep, shared)
    response = client.post(f"{base}edit/", {"name": "Changed"})
    assert response.status_code == 302 and response.url == base
    client.post(f"{base}archive/")
    shared.refresh_from_db()
    assert shared.name == "Team intro" and not shared.archived
    # Duplicating gives them a private copy of their own, which they may change.
    client.post(f"{base}duplicate/")
    copy = EmailTemplate.objects.get(owner=rep)
    assert not copy.shared and can_edit(rep, copy)
    assert signed_in(author).get(f"/sales-tools/templates/{copy.pk}/").status_code == 404


def test_a_manager_may_change_a_shared_template_but_not_its_sharing(author, shared):
    manager = make_user("boss@example.com", role=SALES_MANAGER)
    rep_all_view = make_user("viewer@example.com", role=SALES_REP)
    assert can_edit(manager, shared) and not can_edit(rep_all_view, shared)
    client = signed_in(manager)
    base = f"/sales-tools/templates/{shared.pk}/"
    response = client.post(f"{base}edit/", {"name": "Team intro v2", "subject": "Hello"})
    assert response.status_code == 302
    shared.refresh_from_db()
    assert shared.name == "Team intro v2" and shared.shared  # the box is not theirs to untick
    with pytest.raises(services.TemplateError) as refused:
        services.update_template(manager, shared, name="x", shared=False)
    assert "shared" in refused.value.errors


def test_the_render_endpoint_refuses_a_contact_the_user_may_not_see(rep, author, shared):
    theirs = make_contact(email="vip@x.fr", firstname="Vip", hubspot_owner_id=author.owner.pk)
    mine = make_contact(email="mine@x.fr", firstname="Mo", hubspot_owner_id=rep.owner.pk)
    client = signed_in(rep)
    base = f"/sales-tools/templates/{shared.pk}/"
    assert client.get(f"{base}render/?contact={theirs.pk}").status_code == 404
    assert client.get(f"{base}?contact={theirs.pk}").status_code == 404
    assert "Vip" not in client.get(f"{base}contacts/?q=vip").content.decode()
    assert client.get(f"{base}render/?contact={mine.pk}").json()["subject"] == "Hi Mo"


def test_folders_are_deleted_by_their_creator_or_an_admin(rep, author):
    folder = services.create_folder(author, "Author's")
    response = signed_in(rep).post(f"/sales-tools/templates/folders/{folder.pk}/delete/")
    assert response.status_code == 302
    folder.refresh_from_db()  # still there
    admin = make_user("admin@example.com", role="Super admin")
    signed_in(admin).post(f"/sales-tools/templates/folders/{folder.pk}/delete/")
    assert not type(folder).objects.filter(pk=folder.pk).exists()


def test_the_render_endpoint_from_a_company_or_a_deal_record(rep, author, shared):
    template = services.create_template(
        author,
        name="Company",
        subject="{{ company.name }} / {{ deal.dealname }} / {{ owner.email }}",
        shared=True,
    )
    theirs = make_company(name="Theirs", hubspot_owner_id=author.owner.pk)
    mine = make_company(name="Mine", hubspot_owner_id=rep.owner.pk)
    deal = make_deal(dealname="My deal", hubspot_owner_id=rep.owner.pk)
    client = signed_in(rep)
    base = f"/sales-tools/templates/{template.pk}/render/"
    assert client.get(f"{base}?company={theirs.pk}").status_code == 404
    assert client.get(f"{base}?deal=0").status_code == 404
    data = client.get(f"{base}?company={mine.pk}&deal={deal.pk}").json()
    assert data["subject"] == "Mine / My deal / rep@example.com"  # the deal's owner


def test_a_team_edit_scope_changes_teammates_shared_templates_only(author):
    scopes = {name: {"view": "all", "edit": "team"} for name in scoped_objects()}
    team_role = save_role(None, "Team lead", scopes, {})
    lead = make_user("lead@example.com", role=team_role.name)
    stranger = make_user("stranger@example.com")
    add_to_team(lead, "North")
    add_to_team(author, "North")
    mate = services.create_template(author, name="Mate's", shared=True)
    other = services.create_template(stranger, name="Other's", shared=True)
    assert can_edit(lead, mate) and not can_edit(lead, other)
    client = signed_in(lead)
    client.post(f"/sales-tools/templates/{other.pk}/edit/", {"name": "Changed"})
    client.post(f"/sales-tools/templates/{mate.pk}/edit/", {"name": "Changed"})
    other.refresh_from_db()
    mate.refresh_from_db()
    assert other.name == "Other's" and mate.name == "Changed"
