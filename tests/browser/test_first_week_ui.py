"""Issue 14 (what a sales team hits in its first week): what a user sees, measured in
Chromium at 1280 and 390 px, in French and English where the words differ: nothing cut
without an ellipsis, nothing hidden behind an unmarked inner scroll, pages in the app's
frame. A test parametrised over `language` runs in both; the others in French."""

import datetime as dt
import zoneinfo

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_activity, make_contact
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.django_db(transaction=True)

LANGUAGES = ["fr", "en"]
LONG_TITLE = "Rappeler Léa Lefèvre pour le renouvellement du contrat de maintenance annuel"


def _local_noon(days: int) -> str:
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    day = dt.datetime.now(paris).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(12), tzinfo=paris).isoformat()


CUT_JS = """(root) => {
    const say = (el) => el.tagName + ': ' + el.textContent.trim().slice(0, 40);
    const cut = [];
    for (const el of [root, ...root.querySelectorAll('*')]) {
        if (!el.textContent.trim() || el.getClientRects().length === 0) continue;
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden') continue;
        // For screen readers only: inside a box of one pixel.
        let hidden = false;
        for (let up = el; up && !hidden; up = up.parentElement) {
            hidden = up.getBoundingClientRect().width <= 1;
        }
        if (hidden) continue;
        const own = el.scrollWidth > el.clientWidth + 1 && style.overflowX !== 'visible';
        if (own && style.textOverflow !== 'ellipsis') {
            const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.data.trim());
            if (text || el.children.length === 0) { cut.push(say(el)); continue; }
        }
        const box = el.getBoundingClientRect();
        for (let up = el.parentElement; up; up = up.parentElement) {
            const upStyle = getComputedStyle(up);
            if (upStyle.overflowX === 'visible') continue;
            // An ancestor that ends its line with an ellipsis says the text goes on.
            const ellipsis = upStyle.textOverflow === 'ellipsis'
                && upStyle.whiteSpace === 'nowrap' && !/flex|grid/.test(upStyle.display);
            const right = up.getBoundingClientRect().left + up.clientLeft + up.clientWidth;
            if (!ellipsis && box.right > right + 1) cut.push(say(el) + ' (by ' + up.tagName + ')');
            break;
        }
    }
    return cut;
}"""


@pytest.fixture
def language():
    """The seller's language where a test does not run in both (parametrize overrides it)."""
    return "fr"


@pytest.fixture
def speaker(seller, language):
    """The seller, speaking `language`."""
    seller.language = language
    seller.save(update_fields=["language"])
    return seller


@pytest.fixture
def admin(speaker):
    speaker.is_superuser = True
    speaker.save(update_fields=["is_superuser"])
    return speaker


def _cut(locator) -> list[str]:
    """The text elements under `locator` that are clipped by an ancestor (their box runs past
    the visible box of an ancestor that hides its overflow) without showing an ellipsis of
    their own: text a user cannot read and is not told is missing."""
    return locator.evaluate(CUT_JS)


@pytest.mark.parametrize("language", LANGUAGES)
def test_long_task_titles_and_due_dates_are_not_cut(speaker, page, live_server, language):
    seller = speaker
    lea = make_contact(email="lea@acme.fr", firstname="Léa", lastname="Lefèvre")
    make_activity(
        "tasks",
        hs_task_subject=LONG_TITLE,
        hs_timestamp=_local_noon(400),  # a date of another year: the longest form
        hs_task_type="CALL",
        hubspot_owner_id=seller.owner.pk,
        hs_task_status="NOT_STARTED",
        associations=[("contacts", lea.pk, None)],
    )
    page.goto(f"{live_server.url}/tasks/?tab=all")
    row = page.get_by_role("row").filter(has_text="Rappeler")
    link = row.get_by_role("link", name=LONG_TITLE)
    expect(link).to_be_visible()
    title_cell = row.locator("td.task-title")
    # The title is shown whole (wrapped), or ends with an ellipsis and has a title attribute
    # that shows it whole on hover; far more than ~20 characters are visible.
    assert _cut(title_cell) == []
    expect(link).to_have_attribute("title", LONG_TITLE)
    visible = title_cell.locator(".name-cell > span").evaluate(
        "(text) => text.getBoundingClientRect().width"
    )
    assert visible >= 280, visible
    # The due date is shown whole: its text fits the cell's content box.
    due = row.locator("td.task-due")
    fits = due.evaluate(
        """(td) => {
            const style = getComputedStyle(td);
            const pad = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
            const room = td.clientWidth - pad;
            return [td.querySelector('time').getBoundingClientRect().width, room];
        }"""
    )
    assert fits[0] <= fits[1] + 0.5, fits
    screenshot(page, f"tasks-long-title-{language}")
    # On a phone too: the whole title and due date, wrapped, nothing cut.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(link).to_be_visible()
    assert _cut(row) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


# ---- Point 6: what a user may not do is not offered, and every refusal is said -------------


READ_ONLY = {
    "fr": "Vous pouvez voir cette fiche, mais pas la modifier.",
    "en": "You can see this record but not change it.",
}


@pytest.fixture
def rep_on_a_colleagues_contact(seller, browser, live_server, language):
    """A sales rep (sees every record, changes only his own) on a contact of Camille's."""
    from comptoir.core.testing.factories import make_company, make_user
    from tests.browser.conftest import sign_in

    rep = make_user("remi@example.com", first_name="Rémi", last_name="Roux", role="Sales rep")
    rep.language = language
    rep.save(update_fields=["language"])
    acme = make_company(name="Acme", hubspot_owner_id=seller.owner.pk)
    lea = make_contact(
        email="lea@acme.fr",
        firstname="Léa",
        lastname="Lefèvre",
        hubspot_owner_id=seller.owner.pk,
        associations=[("companies", acme.pk, None)],
    )
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = sign_in(context, live_server, email="remi@example.com")
    yield page, lea, acme
    context.close()


@pytest.mark.parametrize(
    "language, add, remove, log, activities",
    [
        ("fr", "Ajouter", "Supprimer l'association avec Acme", "Enregistrer une activité",
         "Activités"),
        ("en", "Add", "Remove association with Acme", "Log an activity", "Activities"),
    ],
    ids=LANGUAGES,
)  # fmt: skip
def test_a_rep_sees_no_edit_affordance_on_a_record_he_may_not_change(
    rep_on_a_colleagues_contact, live_server, language, add, remove, log, activities
):
    page, lea, _acme = rep_on_a_colleagues_contact
    page.goto(f"{live_server.url}/contacts/{lea.pk}/")
    card = page.locator("#card-companies")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        expect(card.get_by_role("link", name="Acme")).to_be_attached()
        expect(card.get_by_role("button", name=add)).to_have_count(0)
        expect(card.locator("summary", has_text=add)).to_have_count(0)
        expect(card.get_by_role("button", name=remove)).to_have_count(0)
        expect(page.locator("#about-props .edit-trigger")).to_have_count(0)
        expect(page.locator("#composer")).to_have_count(0)
        expect(page.get_by_role("navigation", name=log)).to_have_count(0)
        expect(page.locator("#read-only-note")).to_have_text(READ_ONLY[language])
        expect(page.locator("#read-only-note")).to_be_visible()
        # The timeline is still shown.
        expect(page.get_by_role("heading", name=activities)).to_be_visible()
        if width == 1280 and language == "fr":
            screenshot(page, "record-read-only")
    # Once the contact is his, the same words are offered (a wrong word would pass above).
    from comptoir.core.records.writes import update_record
    from comptoir.core.testing.factories import UI
    from comptoir.users.models import User

    rep = User.objects.get(email="remi@example.com")
    update_record("contacts", lea.pk, {"hubspot_owner_id": rep.owner.pk}, source=UI)
    page.reload()
    expect(page.locator("#read-only-note")).to_have_count(0)
    expect(page.get_by_role("navigation", name=log)).to_be_visible()
    offered = card.get_by_role("button", name=add).or_(card.locator("summary", has_text=add))
    expect(offered.first).to_be_visible()
    expect(card.get_by_role("button", name=remove)).to_be_attached()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refused_removal_is_said(rep_on_a_colleagues_contact, live_server, language):
    """A removal sent anyway (a page loaded before the role changed) is refused, in words."""
    page, lea, acme = rep_on_a_colleagues_contact
    page.goto(f"{live_server.url}/contacts/{lea.pk}/")
    alert = page.locator("#request-error")
    expect(alert).to_be_hidden()
    page.evaluate(
        "(url) => htmx.ajax('POST', url, {source: '#card-companies', target: '#card-companies'})",
        f"/contacts/{lea.pk}/associations/companies/{acme.pk}/remove/",
    )
    expect(alert).to_be_visible()
    expect(alert.locator("span")).to_have_text(READ_ONLY[language])
    expect(page.locator("#card-companies").get_by_role("link", name="Acme")).to_be_visible()
    # A note posted anyway is refused the same way, and nothing is logged.
    page.evaluate(
        "(url) => htmx.ajax('POST', url, {source: '#card-companies', target: '#timeline', "
        "values: {hs_note_body: 'Vu'}})",
        f"/contacts/{lea.pk}/log/note/",
    )
    expect(alert).to_be_visible()
    expect(alert.locator("span")).to_have_text(READ_ONLY[language])


# ---- Point 12: error pages in the app's frame; every page has its own title ----------------


ERROR_PAGES = {
    "fr": {
        404: "Page introuvable",
        403: "Accès refusé",
        "back": "Retour au tableau de bord",
        "navigation": "Navigation principale",
        "save": "Enregistrer",
        "expired": "Cette page a expiré. Rechargez-la et réessayez.",
    },
    "en": {
        404: "Page not found",
        403: "Access denied",
        "back": "Back to the dashboard",
        "navigation": "Main navigation",
        "save": "Save",
        "expired": "This page has expired. Reload it and try again.",
    },
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_unknown_and_forbidden_pages_are_pages_of_the_app(speaker, page, live_server, language):
    """404 and 403 in the app's frame, in the user's language, at 1280 and 390 px."""
    texts = ERROR_PAGES[language]
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 844})
        response = page.goto(f"{live_server.url}/contacts/nope/")
        assert response.status == 404
        expect(page).to_have_title(f"{texts[404]} · Comptoir")
        expect(page.get_by_role("heading", level=1)).to_have_text(texts[404])
        expect(page.locator("#sidenav").get_by_role("link", name="Contacts")).to_be_attached()
        expect(page.get_by_role("navigation", name=texts["navigation"])).to_be_attached()
        expect(page.get_by_role("link", name=texts["back"])).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        if language == "fr":
            screenshot(page, f"not-found-{width}")
    # A form sent once its security token is gone (signed out and in again elsewhere).
    page.goto(f"{live_server.url}/settings/profile/")
    page.context.clear_cookies(name="csrftoken")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name=texts["save"]).first.click()
    assert posted.value.status == 403
    expect(page).to_have_title(f"{texts[403]} · Comptoir")
    expect(page.get_by_role("heading", level=1)).to_have_text(texts[403])
    expect(page.get_by_text(texts["expired"])).to_be_visible()
    expect(page.get_by_role("link", name=texts["back"])).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_api_keeps_hubspots_json_errors(page, live_server):
    response = page.request.get(f"{live_server.url}/crm/v3/nope")
    assert response.status == 404
    assert response.json()["category"] == "OBJECT_NOT_FOUND"


def test_every_settings_page_has_its_own_title(admin, page, live_server):
    page.goto(f"{live_server.url}/settings/")
    links = page.locator(".settings-menu a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) > 5
    for href in hrefs:
        page.goto(f"{live_server.url}{href}")
        title = page.title()
        assert title != "Comptoir · Comptoir", href
        assert title.endswith(" · Comptoir"), (href, title)
    page.goto(f"{live_server.url}/settings/import-export/")
    expect(page).to_have_title("Importer et exporter · Comptoir")


# ---- Point 17: the seed's words ----------------------------------------------------------------


@pytest.mark.parametrize(
    "language, words",
    [
        ("fr", ("Paramètres", "Équipe", "Importer et exporter", "Sélectionner",
                "Démarrer l'appel")),
        ("en", ("Settings", "Users & teams", "Import & export", "Select", "Start calling")),
    ],
    ids=LANGUAGES,
)  # fmt: skip
def test_the_seeds_words(admin, page, live_server, language, words):
    settings_menu, team, import_export, select, start_calling = words
    page.goto(f"{live_server.url}/settings/")
    menu = page.get_by_role("navigation", name=settings_menu)
    expect(menu.get_by_role("link", name=team, exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name=import_export, exact=True)).to_be_visible()
    make_contact(email="lea@acme.fr", firstname="Léa", lastname="Lefèvre")
    page.goto(f"{live_server.url}/contacts/")
    page.get_by_role("checkbox", name=f"{select} Léa Lefèvre").check()
    expect(page.get_by_role("button", name=start_calling)).to_be_visible()


# ---- Point 11: Settings > Pipelines at 1280 px ----------------------------------------------


def _inside(inner: dict, outer: dict) -> bool:
    return (
        inner["x"] >= outer["x"] - 0.5
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
    )


@pytest.mark.parametrize(
    "language, save_label", [("fr", "Enregistrer"), ("en", "Save")], ids=LANGUAGES
)
def test_pipeline_stages_fit_at_1280(admin, page, live_server, language, save_label):
    from comptoir.core.testing.factories import make_deal

    for n in range(12):
        make_deal(dealname=f"Affaire {n}", dealstage="qualifiedtobuy")
    page.goto(f"{live_server.url}/settings/pipelines/")
    rows = page.locator("ol.stage-list > li")
    assert rows.count() >= 5
    for i in range(rows.count()):
        row = rows.nth(i)
        assert _cut(row) == [], i
        for control in row.locator("input[name=label], input[name=probability], select").all():
            value_width = control.evaluate(
                """(input) => {
                const probe = document.createElement('span');
                probe.style.font = getComputedStyle(input).font;
                probe.textContent = input.tagName === 'SELECT'
                    ? input.selectedOptions[0].text : input.value;
                document.body.append(probe);
                const width = probe.getBoundingClientRect().width;
                probe.remove();
                const style = getComputedStyle(input);
                const pad = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
                const spinner = input.type === 'number' ? 16 : 0;
                return [width, input.clientWidth - pad - spinner];
            }"""
            )
            assert value_width[0] <= value_width[1], (i, value_width)  # the value is whole
        card = row.locator("xpath=ancestor::*[contains(@class,'card')][1]").bounding_box()
        for button in row.get_by_role("button").all():
            if button.is_visible():
                assert _inside(button.bounding_box(), card), (i, button.text_content())
        # The deal count does not run under the "Save" button.
        deals = row.locator(".stage-deals").evaluate(
            "(el) => { const r = document.createRange(); r.selectNodeContents(el);"
            " return r.getBoundingClientRect().right; }"
        )
        save = row.locator(".stage-form button").bounding_box()
        assert deals <= save["x"] + 0.5, (i, deals, save)
        # The arrow buttons sit on the stage's line, after its form: nothing wraps.
        form = row.locator(".stage-form").bounding_box()
        for button in row.locator(".option-buttons .btn").all():
            box = button.bounding_box()
            assert box["y"] < form["y"] + form["height"], (i, box, form)
            assert box["x"] >= form["x"] + form["width"], (i, box, form)
    save = page.locator("ol.stage-list").locator("..").get_by_role("button", name=save_label)
    card = page.locator("ol.stage-list").locator("xpath=ancestor::*[contains(@class,'card')][1]")
    assert save.count() == rows.count(), save.count()  # one per stage
    for button in save.all():
        assert _inside(button.bounding_box(), card.bounding_box())
    screenshot(page, f"settings-pipelines-1280-{language}")


# ---- Point 14: the dashboard's Productivité table on a phone -----------------------------------


@pytest.mark.parametrize(
    "language, caption, calls",
    [
        ("fr", "Activités par utilisateur sur la période", "Appels passés"),
        ("en", "Activities per user in the period", "Calls made"),
    ],
    ids=LANGUAGES,
)
def test_the_productivity_table_fits_a_phone(
    speaker, phone_page, live_server, language, caption, calls
):
    from comptoir.core.testing.factories import make_user

    now = _local_noon(0)
    for n, name in enumerate(["Camille", "Bérénice-Alexandra", "Jean-Baptiste"]):
        person = speaker if n == 0 else make_user(f"p{n}@example.com", first_name=name)
        for kind, props in (
            ("calls", {"hs_call_title": "Appel"}),
            ("emails", {"hs_email_subject": "Relance"}),
            ("meetings", {"hs_meeting_title": "Réunion"}),
        ):
            make_activity(kind, hs_timestamp=now, hubspot_owner_id=person.owner.pk, **props)
    page = phone_page
    page.goto(f"{live_server.url}/dashboard/")
    table = page.get_by_role("table", name=caption)
    expect(table).to_be_visible()
    # No inner sideways scroll: what holds the table is as wide as what it shows.
    for el in [table, table.locator("xpath=..")]:
        sizes = el.evaluate("(e) => [e.scrollWidth, e.clientWidth]")
        assert sizes[0] <= sizes[1] + 1, sizes
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Every count is on screen, with its label beside it.
    links = table.get_by_role("link").all()
    assert len(links) >= 12
    for link in links:
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        label = link.evaluate("(a) => getComputedStyle(a.closest('td'), '::before').content")
        assert label not in ("none", "normal", '""'), label
    first = links[0].evaluate("(a) => getComputedStyle(a.closest('td'), '::before').content")
    assert first == f'"{calls}"', first
    assert _cut(table) == []
    table.scroll_into_view_if_needed()
    if language == "fr":
        screenshot(page, "dashboard-productivity-phone")


# ---- Point 17: smaller things ---------------------------------------------------------------


@pytest.mark.parametrize(
    "language, edit_columns",
    [("fr", "Modifier les colonnes"), ("en", "Edit columns")],
    ids=LANGUAGES,
)
def test_the_actions_menu_closes_when_the_columns_dialog_opens(
    speaker, page, live_server, language, edit_columns
):
    make_contact(email="lea@acme.fr", firstname="Léa", lastname="Lefèvre")
    page.goto(f"{live_server.url}/contacts/")
    page.get_by_role("button", name="Actions").click()
    item = page.get_by_role("menuitem", name=edit_columns)
    expect(item).to_be_visible()
    item.click()
    expect(page.get_by_role("dialog", name=edit_columns)).to_be_visible()
    expect(item).to_be_hidden()
    expect(page.locator("details.menu[open]")).to_have_count(0)


# A date and time, without seconds: “15 janv. 2026 à 11:00”, “Jan 15, 2026, 11:00 AM”.
MOMENTS = {
    "fr": (r"^\d{1,2} \S+ \d{4} à \d{2}:\d{2}$", "15 janv. 2026 à 11:00"),
    "en": (r"^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M$", "Jan 15, 2026, 11:00\u202fAM"),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_date_format_on_the_record(speaker, page, live_server, language):
    import re

    pattern, note_time = MOMENTS[language]
    lea = make_contact(email="lea@acme.fr", firstname="Léa", lastname="Lefèvre")
    make_activity(
        "notes",
        hs_note_body="Premier contact",
        hs_timestamp="2026-01-15T10:00:00Z",
        associations=[("contacts", lea.pk, None)],
    )
    page.goto(f"{live_server.url}/contacts/{lea.pk}/")
    created = page.locator("#prop-createdate dd").inner_text().strip()
    assert re.match(pattern, created), created
    when = page.locator("#timeline time").first.inner_text().strip()
    assert when == note_time, when
    assert not re.search(r"\d:\d\d:\d\d", page.locator("#content").inner_text())


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_close_date_is_a_date(speaker, page, live_server, language):
    from comptoir.core.testing.factories import make_deal

    deal = make_deal(dealname="Acme", closedate="2026-12-31T00:00:00Z")
    page.goto(f"{live_server.url}/deals/{deal.pk}/")
    page.locator("#edit-closedate").click()
    field = page.locator("#prop-closedate input[name=closedate]")
    expect(field).to_have_attribute("type", "date")
    expect(field).to_have_value("2026-12-31")
    field.fill("2027-01-20")
    field.press("Enter")
    expect(page.locator("#prop-closedate dd")).to_contain_text("2027")
    expect(page.locator("#prop-closedate dd")).to_contain_text("20")
    page.reload()
    shown = page.locator("#prop-closedate dd").inner_text()
    assert "20" in shown and "2027" in shown and ":" not in shown, shown


@pytest.mark.parametrize(
    "language, labels",
    [
        ("fr", ("Biographie", "Entreprise", "Formation", "Nom d'utilisateur Twitter")),
        ("en", ("Bio", "Company", "Education", "Twitter username")),
    ],
    ids=LANGUAGES,
)
def test_the_profile_has_the_seeds_fields(speaker, page, live_server, language, labels):
    seller = speaker
    page.goto(f"{live_server.url}/settings/profile/")
    bio, company, education, twitter = (page.get_by_label(label, exact=True) for label in labels)
    bio.fill("Vingt ans de vente B2B.")
    company.fill("Comptoir SA")
    education.fill("ESCP")
    twitter.fill("@camille_m")
    page.get_by_role("button", name="Enregistrer" if language == "fr" else "Save").first.click()
    expect(page.get_by_role("status")).to_be_visible()
    page.reload()
    expect(bio).to_have_value("Vingt ans de vente B2B.")
    expect(company).to_have_value("Comptoir SA")
    expect(education).to_have_value("ESCP")
    expect(twitter).to_have_value("camille_m")
    seller.refresh_from_db()
    assert (seller.bio, seller.company, seller.twitter_username) == (
        "Vingt ans de vente B2B.",
        "Comptoir SA",
        "camille_m",
    )


@pytest.mark.parametrize(
    "language, words",
    [
        ("fr", ("Intégrations", "Jetons d'API (1)", "jamais utilisé", "Gérer les jetons d'API",
                "Boîtes de réception connectées")),
        ("en", ("Integrations", "API tokens (1)", "never used", "Manage API tokens",
                "Connected mailboxes")),
    ],
    ids=LANGUAGES,
)  # fmt: skip
def test_the_configuration_page_lists_integrations(admin, page, live_server, language, words):
    from comptoir.users.services import create_token

    integrations, tokens, never_used, manage, mailboxes = words
    create_token(admin, "Synchro ERP", ["crm.objects.contacts.read"])
    page.goto(f"{live_server.url}/settings/configuration/")
    section = page.get_by_role("region", name=integrations)
    expect(section).to_contain_text(tokens)
    expect(section).to_contain_text("Synchro ERP")
    expect(section).to_contain_text(never_used)
    expect(section.get_by_role("link", name=manage)).to_be_visible()
    expect(section).to_contain_text(mailboxes)
    expect(section).to_contain_text("Webhooks")


STAGES = {
    "fr": {
        "move": "Passer à la phase {}",
        "appointmentscheduled": "Rendez-vous programmé",
        "presentationscheduled": "Présentation programmée",
        "decisionmakerboughtin": "Décisionnaire convaincu",
        "contractsent": "Contrat envoyé",
    },
    "en": {
        "move": "Move to the stage {}",
        "appointmentscheduled": "Appointment Scheduled",
        "presentationscheduled": "Presentation Scheduled",
        "decisionmakerboughtin": "Decision Maker Bought-In",
        "contractsent": "Contract Sent",
    },
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_stage_bar_moves_the_deal(speaker, page, live_server, language):
    """At 1280 px (every label whole), then at 390 px, in the same session."""
    from comptoir.core.history.models import PropertyChange
    from comptoir.core.testing.factories import make_deal

    names = STAGES[language]
    deal = make_deal(dealname="Acme", dealstage="appointmentscheduled")
    page.goto(f"{live_server.url}/deals/{deal.pk}/")
    bar = page.locator("#stage-bar")
    for width, stage in ((1280, "contractsent"), (390, "presentationscheduled")):
        page.set_viewport_size({"width": width, "height": 900})
        if width >= 1280:
            assert _cut(bar) == []
            expect(bar.get_by_text(names["decisionmakerboughtin"], exact=True)).to_be_visible()
        bar.get_by_role("button", name=names["move"].format(names[stage])).click()
        expect(page.locator("#stage-title span").first).to_have_text(names[stage])
        expect(page.locator("#prop-dealstage dd")).to_contain_text(names[stage])
        expect(bar.locator("li[aria-current=step]")).to_contain_text(names[stage])
        assert (
            PropertyChange.objects.filter(object_id=deal.pk, property="dealstage")
            .order_by("-id")
            .values_list("value", flat=True)
            .first()
            == stage
        )
        # Once moved, the other stages are still buttons.
        expect(
            bar.get_by_role("button", name=names["move"].format(names["appointmentscheduled"]))
        ).to_be_visible()
