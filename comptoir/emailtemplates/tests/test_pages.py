"""Sales tools > Templates (TOOL-3): the list with folders and search, the editor, the
preview on a contact, duplicate and archive, the composer's picker and render endpoint."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.core.testing.factories import make_company, make_contact, make_deal, make_user
from comptoir.emailtemplates import services
from comptoir.emailtemplates.models import EmailTemplate, TemplateFolder

pytestmark = pytest.mark.django_db


@pytest.fixture
def lea(user):
    acme = make_company(name="Acme", domain="acme.fr")
    return make_contact(
        email="lea@acme.fr",
        firstname="Léa",
        lastname="Lefèvre",
        hubspot_owner_id=user.owner.pk,
        associations=[("companies", acme.pk, None)],
    )


def make(user, **kw):
    kw.setdefault("name", "Relance")
    kw.setdefault("subject", "Bonjour {{ contact.firstname }}")
    kw.setdefault("body", "<p>Hi {{ contact.firstname }} from {{ company.name }}</p>")
    return services.create_template(user, **kw)


def test_empty_state_says_what_to_do(client_in):
    html = client_in.get("/sales-tools/templates/").content.decode()
    assert "No template yet" in html and "Create a template" in html
    # Reached from Sales tools.
    assert 'href="/sales-tools/templates/"' in client_in.get("/sales-tools/").content.decode()


def test_create_then_list_filter_by_folder_and_search(client_in, user):
    response = client_in.post("/sales-tools/templates/folders/new/", {"folder_name": "Relances"})
    assert response.status_code == 302
    folder = TemplateFolder.objects.get(name="Relances")
    response = client_in.post(
        "/sales-tools/templates/new/",
        {
            "name": "Relance devis",
            "subject": "Votre devis, {{ contact.firstname }}",
            "body": '<p>Bonjour {{ contact.firstname | default:"à vous" }}</p><script>x</script>',
            "folder": str(folder.pk),
            "shared": "on",
        },
    )
    template = EmailTemplate.objects.get(name="Relance devis")
    assert response.status_code == 302 and response.url == f"/sales-tools/templates/{template.pk}/"
    assert template.shared and template.folder == folder and template.owner == user
    assert "<script" not in template.body
    make(user, name="Premier contact")

    html = client_in.get("/sales-tools/templates/").content.decode()
    assert "Relance devis" in html and "Premier contact" in html
    html = client_in.get(f"/sales-tools/templates/?folder={folder.pk}").content.decode()
    assert "Relance devis" in html and "Premier contact" not in html
    html = client_in.get("/sales-tools/templates/?folder=none").content.decode()
    assert "Relance devis" not in html and "Premier contact" in html
    html = client_in.get("/sales-tools/templates/?q=premier").content.decode()
    assert "Relance devis" not in html and "Premier contact" in html
    html = client_in.get("/sales-tools/templates/?q=nothing").content.decode()
    assert "No template matches this folder or search." in html
    assert client_in.get("/sales-tools/templates/?folder=abc").status_code == 200


def test_a_refused_template_keeps_what_was_typed_and_names_the_field(client_in):
    response = client_in.post(
        "/sales-tools/templates/new/",
        {
            "name": "Oops",
            "subject": "Hi {{ contact.shoe_size }}",
            "body": "<p>{{ contact.firstname",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Unknown token “{{ contact.shoe_size }}”" in html
    assert "an opening {{ has no closing }}" in html
    assert 'value="Oops"' in html
    assert not EmailTemplate.objects.exists()
    for folder in ("999", "nope", "1e400", "²", "9" * 30):
        refused = client_in.post("/sales-tools/templates/new/", {"name": "x", "folder": folder})
        assert "This folder does not exist any more." in refused.content.decode(), folder


def test_editor_offers_tokens_grouped_by_object(client_in):
    html = client_in.get("/sales-tools/templates/new/").content.decode()
    for group in ("Contact", "Company", "Deal", "Contact owner", "Sender"):
        assert f'<optgroup label="{group}">' in html
    assert 'value="{{ contact.firstname }}"' in html
    assert "{{ contact.firstname | default:&quot;there&quot; }}" in html  # the help text


def test_edit_saves_and_preview_on_a_contact_warns_of_empty_tokens(client_in, user, lea):
    template = make(user)
    url = f"/sales-tools/templates/{template.pk}/"
    response = client_in.post(
        f"{url}edit/",
        {
            "name": "Relance 2",
            "subject": "Bonjour {{ contact.firstname }}",
            "body": "<p>{{ contact.firstname }}, {{ contact.jobtitle }} "
            "chez {{ company.name }}</p>",
        },
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.name == "Relance 2" and not template.shared

    html = client_in.get(f"{url}?contact={lea.pk}").content.decode()
    assert "Bonjour Léa" in html and "<p>Léa,  chez Acme</p>" in html
    assert "These tokens have no value and no fallback" in html and "Contact: Job title" in html
    # Without a contact, every contact token is listed.
    html = client_in.get(url).content.decode()
    assert "Contact: First name" in html
    # The picker finds contacts by name.
    html = client_in.get(f"{url}contacts/?q=lef").content.decode()
    assert f"?contact={lea.pk}" in html and "Léa Lefèvre" in html
    assert "No contact found." in client_in.get(f"{url}contacts/?q=zzz").content.decode()


def test_duplicate_archive_and_restore(client_in, user):
    template = make(user, shared=True)
    url = f"/sales-tools/templates/{template.pk}/"
    response = client_in.post(f"{url}duplicate/")
    copy = EmailTemplate.objects.exclude(pk=template.pk).get()
    assert response.url == f"/sales-tools/templates/{copy.pk}/edit/"
    assert copy.name == "Relance (copy)" and not copy.shared and copy.body == template.body

    assert client_in.post(f"{url}archive/").status_code == 302
    template.refresh_from_db()
    assert template.archived and template.archived_at
    html = client_in.get("/sales-tools/templates/").content.decode()
    assert f"/sales-tools/templates/{template.pk}/" not in html
    html = client_in.get("/sales-tools/templates/?archived=1").content.decode()
    assert f"/sales-tools/templates/{template.pk}/" in html
    picker = client_in.get("/sales-tools/templates/picker/").content.decode()
    assert f"{url}render/" not in picker and f"/{copy.pk}/render/" in picker
    assert client_in.get(f"{url}render/").status_code == 404  # out of the composer
    assert client_in.get(url).status_code == 200  # still shown, to be restored
    client_in.post(f"{url}restore/")
    template.refresh_from_db()
    assert not template.archived


def test_render_endpoint_for_the_composer(client_in, user, lea):
    template = make(user, body="<p>{{ contact.firstname }} {{ contact.jobtitle }}</p>")
    data = client_in.get(f"/sales-tools/templates/{template.pk}/render/?contact={lea.pk}").json()
    assert data["subject"] == "Bonjour Léa"
    assert data["html"] == "<p>Léa </p>" and data["text"] == "Léa"
    assert data["missing_tokens"] == ["contact.jobtitle"]
    assert data["missing_labels"] == ["Contact: Job title"]
    missing = client_in.get(f"/sales-tools/templates/{template.pk}/render/?contact=99999")
    assert missing.status_code == 404
    bad = client_in.get(f"/sales-tools/templates/{template.pk}/render/?contact=abc")
    assert bad.status_code == 404
    assert client_in.get("/sales-tools/templates/99999/render/").status_code == 404


def test_the_composer_offers_the_picker_on_the_email_tab(client_in, user, lea):
    make(user, name="Relance")
    html = client_in.get(f"/contacts/{lea.pk}/").content.decode()
    assert html.count("data-template-picker") == 1
    assert 'data-record-param="contact"' in html and f'data-record-id="{lea.pk}"' in html
    picker = client_in.get("/sales-tools/templates/picker/?q=rel").content.decode()
    assert "data-use-template" in picker and "Relance" in picker


def test_folders_delete_keeps_their_templates(client_in, user):
    folder = services.create_folder(user, "Old")
    template = make(user, folder_id=folder.pk)
    dup = client_in.post("/sales-tools/templates/folders/new/", {"folder_name": "old"})
    assert dup.status_code == 302 and TemplateFolder.objects.count() == 1
    client_in.post(f"/sales-tools/templates/folders/{folder.pk}/delete/")
    template.refresh_from_db()
    assert template.folder is None and not TemplateFolder.objects.exists()


def test_pages_in_french(client_in, user, lea):
    client_in.cookies["django_language"] = "fr"
    template = make(user)
    html = client_in.get("/sales-tools/templates/").content.decode()
    assert "Modèles" in html and "Nouveau modèle" in html
    html = client_in.get(f"/sales-tools/templates/{template.pk}/").content.decode()
    assert "Aperçu sur un contact" in html
    assert "Contact\u00a0: Prénom" in html


def test_the_list_and_the_picker_do_not_query_per_template(client_in, user):
    other = make_user("teammate@example.com")
    folder = services.create_folder(user, "F")

    def counts():
        found = []
        for url in ("/sales-tools/templates/", "/sales-tools/templates/picker/"):
            client_in.get(url)  # caches warm
            with CaptureQueriesContext(connection) as ctx:
                assert client_in.get(url).status_code == 200
            found.append(len(ctx))
        return found

    make(user, folder_id=folder.pk)
    make(other, name="Theirs", shared=True)
    few = counts()
    for n in range(10):
        make(user, name=f"Mine {n}", folder_id=folder.pk)
        make(other, name=f"Theirs {n}", shared=True)
    assert counts() == few


def test_the_preview_fills_deal_tokens_from_a_deal_of_the_contact(client_in, user, lea):
    deal = make_deal(dealname="Renouvellement", associations=[("contacts", lea.pk, None)])
    other = make_deal(dealname="Not hers")
    template = make(user, body="<p>{{ deal.dealname }}</p>")
    url = f"/sales-tools/templates/{template.pk}/?contact={lea.pk}"
    html = client_in.get(url).content.decode()
    assert f'<option value="{deal.pk}">Renouvellement</option>' in html
    assert "Not hers" not in html and "Deal: Deal name" in html  # none chosen yet: empty
    html = client_in.get(f"{url}&deal={deal.pk}").content.decode()
    assert "<p>Renouvellement</p>" in html and "Deal: Deal name" not in html
    html = client_in.get(f"{url}&deal={other.pk}").content.decode()  # not one of hers
    assert "<p></p>" in html


@pytest.mark.parametrize("text", ["\x00", "x" * 5000, "{{", "'\"%_\\", "Lefèvre -"])
def test_searches_take_any_text_without_a_500(client_in, user, lea, text):
    # A NUL is refused before any view (400, the project's middleware); the rest is searched.
    ok = 400 if "\x00" in text else 200
    template = make(user)
    for url in (
        "/sales-tools/templates/",
        "/sales-tools/templates/picker/",
        f"/sales-tools/templates/{template.pk}/contacts/",
    ):
        assert client_in.get(url, {"q": text}).status_code == ok, url
    assert client_in.get("/sales-tools/templates/", {"folder": text}).status_code == ok
    for name in ("contact", "company", "deal"):
        response = client_in.get(f"/sales-tools/templates/{template.pk}/render/", {name: text})
        assert response.status_code == (ok if ok == 400 else 404), name
