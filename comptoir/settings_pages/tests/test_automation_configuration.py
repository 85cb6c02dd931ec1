"""Settings > Automation (SET-3) and Settings > Configuration (SET-8)."""

import pytest

from comptoir.core.portal.services import automation_enabled, portal
from comptoir.core.properties import registry
from comptoir.core.testing.factories import make_deal
from comptoir.core.testing.html import links, select_one
from comptoir.settings_pages.menu import visible_sections

pytestmark = pytest.mark.django_db

PAGES = (
    "/settings/properties/new/",
    "/settings/properties/about/",
    "/settings/properties/contacts/email/",
    "/settings/properties/contacts/email/archive/",
    "/settings/properties/groups/new/",
    "/settings/pipelines/new/",
    "/settings/pipelines/default/rename/",
    "/settings/pipelines/default/delete/",
    "/settings/pipelines/default/stages/add/",
    "/settings/pipelines/default/stages/order/",
    "/settings/pipelines/default/stages/qualifiedtobuy/",
    "/settings/pipelines/default/stages/qualifiedtobuy/delete/",
    "/settings/automation/",
    "/settings/configuration/",
    "/settings/properties/",
    "/settings/pipelines/",
)


def test_the_automation_page_explains_each_switch_and_saves_them(admin_client):
    html = admin_client.get("/settings/automation/").content.decode()
    assert "Associate contacts with companies by email domain" in html
    assert "free-mail domains" in html
    assert html.count('role="switch"') == 5

    # Unchecked boxes are not posted: everything but the domain association goes off.
    response = admin_client.post("/settings/automation/", {"auto_associate_companies": "on"})
    assert response.status_code == 302
    registry.clear_local()
    assert automation_enabled("auto_associate_companies")
    assert not automation_enabled("lifecycle_on_deal_won")
    assert not automation_enabled("sync_owner_contact_company")
    html = admin_client.get("/settings/automation/").content.decode()
    assert "Automation settings saved." in html


def test_configuration_saves_company_time_zone_currency_and_language(admin_client):
    html = admin_client.get("/settings/configuration/").content.decode()
    assert '<option value="Europe/Paris" selected>' in html
    assert "EUR – Euro" in html  # noqa: RUF001
    response = admin_client.post(
        "/settings/configuration/",
        {
            "company_name": "Acme SAS",
            "company_domain": "https://www.Acme.fr/",
            "report_time_zone": "America/Montreal",
            "currency": "CAD",
            "default_language": "en",
        },
    )
    assert response.status_code == 302
    registry.clear_local()
    settings = portal()
    assert (settings.company_name, settings.company_domain) == ("Acme SAS", "acme.fr")
    assert settings.report_time_zone == "America/Montreal"
    assert (settings.currency, settings.default_language) == ("CAD", "en")
    # The deals board now counts in Canadian dollars.
    make_deal(dealname="Érable", amount="1000", dealstage="appointmentscheduled")
    assert "CA$1,000.00" in admin_client.get("/deals/board/").content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("report_time_zone", "Mars/Olympus_Mons", "“Mars/Olympus_Mons” is not a known time zone"),
        ("currency", "XYZ", "“XYZ” is not a currency of the list"),
        ("company_domain", "not a domain", "“not a domain” is not a domain name"),
        ("default_language", "de", "Choose English or French."),
    ],
)
def test_bad_configuration_is_refused_on_its_field_and_nothing_changes(
    admin_client, field, value, message
):
    data = {
        "company_name": "Changed",
        "company_domain": "acme.fr",
        "report_time_zone": "Europe/Paris",
        "currency": "EUR",
        "default_language": "fr",
        field: value,
    }
    response = admin_client.post("/settings/configuration/", data)
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_error"' in html
    registry.clear_local()
    assert portal().company_name == ""


def test_non_admins_get_404_and_do_not_see_the_admin_sections(rep_client):
    data = {"move_to": "contractsent", "label": "Hacked", "company_name": "Hacked"}
    for url in PAGES:
        assert rep_client.get(url).status_code == 404, url
        assert rep_client.post(url, data).status_code == 404, url
    from comptoir.core.pipelines.models import Pipeline, PipelineStage

    assert PipelineStage.objects.filter(stage_id="qualifiedtobuy", archived=False).exists()
    assert not Pipeline.objects.filter(label="Hacked").exists()
    registry.clear_local()
    assert portal().company_name == ""
    # Nor in the navigation of the pages they do use.
    html = rep_client.get("/contacts/").content.decode()
    assert "/settings/automation/" not in html


def test_admins_see_the_sections_in_the_menu(admin_client, rep):
    """The entries of the seed article's side menu, in its order, each a page ("Gmail et
    Outlook" is Email: any mailbox), then Indexes (issue 16) and Background jobs after
    Configuration."""
    html = admin_client.get("/settings/automation/").content.decode()
    menu = select_one(html, "nav.settings-menu")
    entries = [(url, label) for label, url in links(menu)]
    assert [label for _url, label in entries] == [
        "Properties",
        "Pipelines",
        "Automation",
        "Users & teams",
        "Import & export",
        "Configuration",
        "Indexes",
        "Background jobs",
        "Audit log",
        "Notifications",
        "Email",
        "API tokens",
        "Webhooks",
        "Prospects",
        "Profile",
    ]
    for url, label in entries:
        assert admin_client.get(url).status_code == 200, label
    assert menu.select_one('a[aria-current="page"]').get("href") == "/settings/automation/"
    keys = {section["key"] for section in visible_sections(rep)}
    assert not keys & {
        "properties",
        "pipelines",
        "automation",
        "configuration",
        "indexes",
        "webhooks",
        "prospects",
    }
