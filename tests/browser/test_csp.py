"""The main pages under the Content-Security-Policy, in Chromium: none reports a violation
(no inline script, handler or style is blocked, htmx injects no style and evaluates
nothing), and the controls that had inline handlers still work through data-* attributes."""

import pytest
from playwright.sync_api import expect

from comptoir.core.testing.factories import make_activity, make_contact, make_deal
from comptoir.imports.tests.helpers import csv_bytes
from tests.browser.conftest import sign_in_with_form
from tests.browser.test_imports import run_worker

pytestmark = pytest.mark.django_db(transaction=True)

# Reported by the page itself (securitypolicyviolation), and by Chromium on the console.
LISTEN = """
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${where}`);
}, true);
"""


@pytest.fixture
def watched(browser, live_server, seller):
    """A signed-in page whose CSP violations (and any other console error) are collected."""
    from comptoir.users.models import Role

    seller.role = Role.objects.get(name="Super admin")
    seller.save(update_fields=["role"])
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    context.add_init_script(LISTEN)
    problems = []

    def collect(message):
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(f"{message.page.url if message.page else ''}: {message.text}")

    context.on("console", collect)
    context.on("weberror", lambda error: problems.append(f"page error: {error.error}"))
    page = sign_in_with_form(context, live_server)
    page.problems = problems
    yield page
    context.close()


def visit(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")


@pytest.fixture
def records(seller):
    me = seller.owner.pk
    contact = make_contact(email="lea@acme.fr", firstname="Léa", lastname="Lefèvre")
    make_deal(dealname="Acme renewal", amount=1200, hubspot_owner_id=me)
    make_activity(
        "tasks",
        hs_task_subject="Call Léa back",
        hs_timestamp="2030-03-05T09:00:00Z",
        hubspot_owner_id=me,
    )
    make_activity("calls", hs_call_title="Intro call", hubspot_owner_id=me)
    return contact


def test_main_pages_report_no_violation(watched, live_server, records):
    page, base = watched, live_server.url
    for path in (
        "/contacts/",
        f"/contacts/{records.pk}/",
        "/deals/board/",
        "/tasks/",
        "/",
        "/settings/properties/",
        "/settings/pipelines/",
        "/settings/api-tokens/",
        "/settings/team/",
        "/settings/automation/",
        "/settings/configuration/",
        "/settings/email/",
        "/settings/profile/",
        "/settings/import-export/",
        "/imports/new/",
        "/companies/",
        "/deals/",
        "/sales-tools/",
        "/sales-tools/templates/",
        "/sales-tools/templates/new/",
        "/notifications/",
        "/search/?q=lea",
        "/api/docs",
    ):
        visit(page, base + path)
    expect(page.locator(".swagger-ui").first).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()  # the operations are drawn
    # Partials swapped in by htmx: a dialog, the record preview, global search.
    visit(page, base + "/contacts/")
    page.get_by_role("button", name="Advanced filters").click()
    expect(page.get_by_role("dialog", name="Advanced filters")).to_be_visible()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Actions").click()
    page.get_by_role("menuitem", name="Edit columns").click()
    expect(page.get_by_role("dialog", name="Edit columns")).to_be_visible()
    page.keyboard.press("Escape")
    page.get_by_label("Search contacts, companies and deals").fill("zzz-nothing")
    expect(page.get_by_text("Nothing matches")).to_be_visible()
    page.get_by_role("row").filter(has_text="Léa Lefèvre").hover()
    page.get_by_role("button", name="Preview Léa Lefèvre").click()
    expect(page.get_by_role("link", name="Open the record")).to_be_visible()
    # The sign-in page, signed out.
    page.context.clear_cookies()
    visit(page, base + "/login/")
    visit(page, base + "/password-reset/")
    assert page.problems == []


def test_controls_that_had_inline_handlers_still_work(watched, live_server, records):
    page, base = watched, live_server.url
    # Rows per page: choosing a size follows its link (was onchange="location.href=...").
    visit(page, base + "/contacts/")
    sizes = page.get_by_label("Rows per page")
    fifty = sizes.locator("option", has_text="50").get_attribute("value")
    sizes.select_option(label="50")
    page.wait_for_url(lambda url: url.endswith(fifty.lstrip(".")))
    expect(page.get_by_label("Rows per page")).to_have_value(fifty)
    # A select that submits its form (was onchange="this.form.requestSubmit()").
    visit(page, base + "/settings/properties/")
    group = page.locator("#property-group")
    value = group.locator("option").nth(1).get_attribute("value")
    group.select_option(value)
    page.wait_for_url(f"**group={value}**")
    expect(page.locator("#property-group")).to_have_value(value)
    # Dashboard: typing a date makes the period "custom" (was onchange="...='custom'").
    visit(page, base + "/")
    page.get_by_label("From").fill("2030-01-01")
    expect(page.get_by_label("Period")).to_have_value("custom")
    # A new API token: the field selects itself, Copy copies it (was inline script).
    visit(page, base + "/settings/api-tokens/")
    page.get_by_text("Create token").first.click()
    page.get_by_label("Token name").fill("CSP check")
    page.get_by_role("group", name="Contacts and activities").get_by_label(
        "crm.objects.contacts.read"
    ).check()
    page.get_by_role("button", name="Create token").click()
    field = page.get_by_label("New token")
    field.click()
    assert (
        page.evaluate(
            "document.getSelection().toString() || "
            "document.activeElement.value.substring("
            "document.activeElement.selectionStart, "
            "document.activeElement.selectionEnd)"
        )
        == field.input_value()
    )
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_text("Copied to the clipboard.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == field.input_value()
    # An element given an inline style by script (allowed: CSSOM), then swapped by htmx:
    # htmx must not copy that style onto the new element (setAttribute would be blocked).
    visit(page, f"{base}/contacts/{records.pk}/")
    page.evaluate("document.getElementById('prop-email').style.outline = '1px solid red'")
    about = page.get_by_role("region", name="About")
    about.get_by_role("button", name="Edit Email").click()
    expect(about.get_by_role("textbox", name="Email")).to_be_focused()
    assert page.problems == []


def test_import_setup_and_progress_under_the_policy(
    watched,
    live_server,
    tmp_path,
    settings,
    monkeypatch,
):
    page = watched
    settings.MEDIA_ROOT = tmp_path / "media"
    csv = tmp_path / "contacts.csv"
    csv.write_bytes(csv_bytes([["E-mail", "Prénom"], ["lea@exemple.fr", "Léa"]], delimiter=";"))
    page.goto(f"{live_server.url}/imports/new/")
    page.get_by_label("File (CSV or XLSX)").set_input_files(str(csv))
    page.get_by_role("button", name="Next").click()
    # The separator select sends the form when changed (was onchange="this.form.submit()").
    expect(page.get_by_label("Separator")).to_have_value(";")
    page.get_by_label("Separator").select_option(",")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_label("Separator")).to_have_value(",")
    page.get_by_label("Separator").select_option(";")
    page.wait_for_load_state("networkidle")
    expect(page.get_by_label("Separator")).to_have_value(";")
    page.get_by_role("button", name="Start the import").click()
    bar = page.get_by_role("progressbar", name="Import progress")
    expect(bar).to_be_visible()
    run_worker(monkeypatch)
    expect(page.get_by_text("Done", exact=True)).to_be_visible(timeout=10000)
    # The bar is drawn without a style attribute: full once done.
    fill = page.locator(".progress rect")
    expect(fill).to_have_attribute("width", "100%")
    assert page.problems == []
