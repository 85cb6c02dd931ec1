"""The browser app in French (UI-7): HubSpot's French words in the navigation and headings,
values in the French locale, and a complete, compiled catalogue."""

import gettext
import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings

from comptoir.core.testing.factories import (
    make_activity,
    make_company,
    make_contact,
    make_deal,
    make_user,
)
from comptoir.core.testing.html import select, select_one
from comptoir.users.models import User

pytestmark = pytest.mark.django_db

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"
# Babel groups thousands and sets the € apart with (narrow) no-break spaces.
SPACE = "[\u00a0\u202f ]"
NAVIGATION = ("Contacts", "Entreprises", "Transactions", "Tâches")
ENGLISH = (">Companies<", ">Deals<", ">Tasks<", "Sign out", "Advanced filters", ">About<")


@pytest.fixture
def client_fr(client):
    """Signed in as a user whose language is French (the browser asks for English)."""
    user = make_user("francoise@example.com", first_name="Françoise", last_name="Vendeuse")
    User.objects.filter(pk=user.pk).update(language="fr")
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def records():
    company = make_company(name="Acme Industrie", domain="acme-industrie.fr")
    contact = make_contact(
        email="lea@acme-industrie.fr",
        firstname="Léa",
        lastname="Lefèvre",
        lifecyclestage="customer",
        associations=[("companies", company.pk, None)],
    )
    deal = make_deal(
        dealname="Acme - Abonnement annuel",
        dealstage="appointmentscheduled",
        amount="1234.50",
        closedate="2026-11-27T10:00:00Z",
        associations=[("contacts", contact.pk, None)],
    )
    make_activity(
        "tasks",
        hs_task_subject="Rappeler Léa",
        hs_task_status="NOT_STARTED",
        hs_timestamp="2030-03-05T09:00:00Z",
        associations=[("contacts", contact.pk, None)],
    )
    return {"company": company, "contact": contact, "deal": deal}


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def assert_french_shell(html: str) -> None:
    assert '<html lang="fr">' in html
    labels = [span.text for span in select(select_one(html, "nav.sidenav"), "span")]
    for word in NAVIGATION:
        assert word in labels
    assert "Se déconnecter" in html and "Créer" in html
    for english in ENGLISH:
        assert english not in html, english


def test_contacts_list_in_french(client_fr, records):
    html = html_of(client_fr.get("/contacts/"))
    assert_french_shell(html)
    assert re.search(r"<h1>Contacts\s", html)
    for text in ("Tous les contacts", "Mes contacts", "Non attribués", "Créer un contact"):
        assert text in html
    for text in ("Filtres avancés", "Modifier les colonnes", "Actions", "Aperçu"):
        assert text in html
    # Column headers are the properties' French labels; option values too.
    assert "Phase du cycle de vie" in html and ">Client<" in html


def test_contact_page_in_french(client_fr, records):
    html = html_of(client_fr.get(f"/contacts/{records['contact'].pk}/"))
    assert_french_shell(html)
    for text in ("À propos", "Activités", "Voir toutes les propriétés", "Prénom", "Réunion"):
        assert text in html
    # Association cards agree with their object type.
    assert "Aucune transaction associée." not in html  # the contact has one deal
    assert "Aucune tâche associée." not in html
    assert "Rechercher des entreprises existantes" in html
    assert "Créer une nouvelle entreprise" in html


def test_deal_page_shows_the_stage_in_french(client_fr, records):
    html = html_of(client_fr.get(f"/deals/{records['deal'].pk}/"))
    assert "Phase de la transaction\u00a0:" in html
    assert "Rendez-vous programmé" in html and "Appointment scheduled" not in html
    assert re.search(rf"Date de fermeture\u00a0: 27{SPACE}nov\.{SPACE}2026", html)


def test_deals_board_in_french(client_fr, records):
    html = html_of(client_fr.get("/deals/board/"))
    assert_french_shell(html)
    for text in ("Panneaux", "Tableau", "Créer une transaction", "Toutes les transactions"):
        assert text in html
    assert "Montant pondéré" in html and "Rendez-vous programmé" in html
    assert re.search(rf"1{SPACE}234,50{SPACE}€", html)
    assert re.search(rf"27{SPACE}nov\.{SPACE}2026", html)
    assert "1 transaction" in html


def test_tasks_page_in_french(client_fr, records):
    html = html_of(client_fr.get("/tasks/?tab=all"))
    assert_french_shell(html)
    assert re.search(r"<h1>Tâches</h1>", html)
    for text in ("Ajouter une tâche", "En retard", "À venir", "Date d'échéance", "Attribuée à"):
        assert text in unescape(html)  # column headers are escaped text (d&#x27;échéance)
    assert "Rappeler Léa" in html and "Non commencée" in html
    assert re.search(rf"5{SPACE}mars{SPACE}2030 à 10:00", html)  # Europe/Paris


def test_login_page_in_french(client):
    client.cookies["django_language"] = "fr"
    html = html_of(client.get("/login/"))
    assert '<html lang="fr">' in html
    assert "Se connecter" in html and "Mot de passe" in html
    assert "Mot de passe oublié\u00a0?" in html and "Sign in" not in html


def test_created_message_and_errors_agree_in_french(client_fr):
    response = client_fr.post(
        "/companies/create/", {"name": "Acme", "domain": "acme.fr"}, follow=True
    )
    assert "Entreprise «\u00a0Acme\u00a0» créée." in html_of(response)
    response = client_fr.post("/contacts/create/", {"email": "pas-un-email"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Saisissez une adresse e-mail valide." in html
    assert "Rien n'a été enregistré\u00a0: corrigez les champs ci-dessous." in html


# -- the catalogue --------------------------------------------------------------------------


ENTRY_LINE = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])? (".*")$')


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file: {msgctxt, msgid, msgid_plural, msgstr: [...], flags} (no header)."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry, key, flags = {}, None, set()
        for line in block.splitlines():
            if line.startswith("#,"):
                flags.update(f.strip() for f in line[2:].split(","))
            elif line.startswith("#"):
                continue
            elif match := ENTRY_LINE.match(line):
                name, index, text = match.groups()
                key = (name, int(index or 0))
                entry.setdefault(key, "")
                entry[key] += _unquote(text)
            elif line.startswith('"') and key:
                entry[key] += _unquote(line)
        if ("msgid", 0) not in entry or entry[("msgid", 0)] == "":
            continue
        entries.append(
            {
                "msgctxt": entry.get(("msgctxt", 0)),
                "msgid": entry[("msgid", 0)],
                "msgid_plural": entry.get(("msgid_plural", 0)),
                "msgstr": [entry[k] for k in sorted(k for k in entry if k[0] == "msgstr")],
                "flags": flags,
            }
        )
    return entries


def _unquote(text: str) -> str:
    text = text.strip()[1:-1]
    return re.sub(r'\\(["\\nt])', lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), text)


PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%\([a-z_]+\)02d")


def test_every_string_is_translated_in_the_compiled_catalogue():
    entries = read_po(CATALOGUE / "django.po")
    assert len(entries) > 400
    compiled = gettext.GNUTranslations((CATALOGUE / "django.mo").open("rb"))
    for e in entries:
        name = f"{e['msgctxt']}|{e['msgid']}" if e["msgctxt"] else e["msgid"]
        assert "fuzzy" not in e["flags"], name
        assert e["msgstr"] and all(s.strip() for s in e["msgstr"]), f"untranslated: {name}"
        wanted = sorted(PLACEHOLDER.findall(e["msgid"]))
        for text in e["msgstr"]:
            assert sorted(PLACEHOLDER.findall(text)) == wanted, f"placeholders of {name}"
            assert not re.search(r"[^\u00a0\s(«][:;!?](\s|$)", text), f"typography: {text!r}"
        # The .mo shipped in the repository says the same as the .po.
        if e["msgid_plural"]:
            forms = [compiled.ngettext(e["msgid"], e["msgid_plural"], n) for n in (1, 2)]
            assert forms == e["msgstr"][:2], name
        elif e["msgctxt"]:
            assert compiled.pgettext(e["msgctxt"], e["msgid"]) == e["msgstr"][0], name
        else:
            assert compiled.gettext(e["msgid"]) == e["msgstr"][0], name
