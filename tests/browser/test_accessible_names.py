"""Every button and link of the main pages has an accessible name at phone width (issue 4,
points 9 and 10): at 390 px labels give way to icons, and a screen reader must still be
able to say what each control does. The public pages of issue 18 (booking page, document
viewer) too, in French and English at 390 and 1280 px."""

import pytest

from comptoir.core.testing.factories import make_activity, make_company, make_contact, make_deal

pytestmark = pytest.mark.django_db(transaction=True)
ROLES = {"button", "link", "menuitem", "tab", "checkbox", "combobox", "textbox"}


@pytest.fixture
def crm(seller):
    owner = seller.owner.pk
    acme = make_company(name="Acme", domain="acme.fr", hubspot_owner_id=owner)
    lea = make_contact(
        email="lea@acme.fr", firstname="Léa", lastname="Lefèvre", hubspot_owner_id=owner
    )
    both = [("contacts", lea.pk, None), ("companies", acme.pk, None)]
    deal = make_deal(dealname="Big deal", amount=12000, hubspot_owner_id=owner, associations=both)
    make_activity("notes", hs_note_body="<p>Met at the fair.</p>", associations=both)
    make_activity(
        "tasks",
        hs_task_subject="Call back",
        hubspot_owner_id=owner,
        associations=[*both, ("deals", deal.pk, None)],
    )
    return {"contact": lea.pk, "company": acme.pk, "deal": deal.pk}


def unnamed_controls(page) -> list[str]:
    """Controls Chromium exposes to assistive technology without a name (what a screen
    reader would announce as just "button" or "link")."""
    cdp = page.context.new_cdp_session(page)
    nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    cdp.detach()
    found = []
    for node in nodes:
        role = node.get("role", {}).get("value")
        if node.get("ignored") or role not in ROLES:
            continue
        if not (node.get("name", {}).get("value") or "").strip():
            found.append(f"{role} (backend node {node.get('backendDOMNodeId')})")
    return found


def describe(page, found: list[str]) -> list[str]:
    out = []
    cdp = page.context.new_cdp_session(page)
    for item in found:
        backend = int(item.split("backend node ")[1].split(")")[0])
        html = cdp.send("DOM.getOuterHTML", {"backendNodeId": backend})["outerHTML"]
        out.append(f"{item}: {html[:300]}")
    cdp.detach()
    return out


def test_every_control_has_a_name_at_phone_width(crm, phone_page, live_server):
    page = phone_page
    pages = [
        "/",
        "/contacts/",
        "/companies/",
        "/deals/",
        "/deals/board/",
        "/tasks/",
        f"/contacts/{crm['contact']}/",
        f"/companies/{crm['company']}/",
        f"/deals/{crm['deal']}/",
        f"/contacts/{crm['contact']}/properties/",
        "/sales-tools/",
        "/sales-tools/templates/",
        "/sales-tools/templates/new/",
        "/settings/",
    ]
    problems = {}
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        found = unnamed_controls(page)
        # Then what menus and dialogs hold, opened all at once.
        page.evaluate(
            """() => {
              document.querySelectorAll("details").forEach((d) => (d.open = true));
              document.querySelectorAll("dialog:not([open])").forEach((d) => d.show());
            }"""
        )
        found += [f"{item} when opened" for item in unnamed_controls(page) if item not in found]
        if found:
            problems[path] = describe(page, found)
    assert not problems, "\n".join(f"{p}:\n  " + "\n  ".join(v) for p, v in problems.items())


@pytest.mark.parametrize("locale", ["fr-FR", "en-US"])
@pytest.mark.parametrize("width", [390, 1280])
def test_every_control_of_the_public_pages_has_a_name(browser, live_server, seller, locale, width):
    """The pages a company's visitors open without signing in (issue 18): the booking page
    (its times, then the form of a chosen time, then a booking's page), a shared document's
    viewer (its drawn pages and the PDF's links), the email question before it and the page
    of a link that does not open, in both languages at phone and desktop widths."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from playwright.sync_api import expect

    from comptoir.documents import services as documents
    from comptoir.documents.tests.pdfs import make_pdf
    from comptoir.meetings.models import MeetingLink

    MeetingLink.objects.create(
        user=seller, slug="demo", title="Demo", minimum_notice_minutes=0,
        questions=[{"label": "What would you like to see?", "required": True}],
        hours={d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    )  # fmt: skip
    pdf = make_pdf(2, title="Offre", link="https://acme.example/tarifs")
    document = documents.upload_document(
        seller, SimpleUploadedFile("offre.pdf", pdf), name="Offre 2027"
    )
    link = documents.create_link(seller, document, email="lea@acme.fr")
    gated = documents.create_link(seller, document, ask_email=True)
    phone = {"is_mobile": True, "has_touch": True} if width < 600 else {}
    context = browser.new_context(
        viewport={"width": width, "height": 844 if width < 600 else 900}, locale=locale, **phone
    )
    page = context.new_page()
    problems = {}

    def check(name):
        page.wait_for_load_state("networkidle")
        found = unnamed_controls(page)
        if found:
            problems[name] = describe(page, found)

    page.goto(f"{live_server.url}/meet/demo/")
    expect(page.locator(".meet-slot").first).to_be_visible()
    check("/meet/demo/ (times)")
    page.locator(".meet-slot").first.click()
    expect(page.locator("#v-email")).to_be_visible()
    check("/meet/demo/ (a time chosen)")
    page.locator("#v-name").fill("Zoé Tremblay")
    page.locator("#v-email").fill("zoe@example.org")
    page.locator(".meet-form button").click()
    expect(page.locator("#v-question-1-error, .field-error").first).to_be_visible()
    check("/meet/demo/ (a question left blank)")
    page.locator(".meet-form textarea").fill("The board")
    page.locator(".meet-form button").click()
    expect(page.locator("a[href*='/cancel/']")).to_be_visible()
    check("/meet/booking/<token>/ (booked)")
    page.goto(f"{live_server.url}/d/{link.token}/")
    expect(page.locator("[data-page='1'][data-drawn=true]")).to_have_count(1, timeout=20_000)
    expect(page.locator(".viewer-link")).to_have_count(1)  # the PDF's link, laid over it
    check(f"/d/{link.token}/ (drawn)")
    page.goto(f"{live_server.url}/d/{gated.token}/")
    check(f"/d/{gated.token}/ (the email question)")
    page.goto(f"{live_server.url}/d/{'x' * 32}/")
    check("/d/<missing>/")
    context.close()
    assert not problems, "\n".join(f"{p}:\n  " + "\n  ".join(v) for p, v in problems.items())
