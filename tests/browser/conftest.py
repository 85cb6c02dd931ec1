"""Browser tests: Debian's Chromium driven by Playwright against a live server."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The README's pictures are rewritten only when asked for
# (COMPTOIR_SCREENSHOTS=docs/screenshots ./run tests tests/browser); otherwise a run leaves
# the checkout as it found it and its pictures land in the temporary directory.
SCREENSHOTS = Path(
    os.environ.get("COMPTOIR_SCREENSHOTS") or Path(tempfile.gettempdir()) / "comptoir-screenshots"
)
SCREENSHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: apt-get install chromium (./run tests does it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Signing in hashes the password twice per test (user creation, login): keep it cheap."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seller(transactional_db):
    from comptoir.core.testing.factories import make_user

    return make_user("camille@example.com", first_name="Camille", last_name="Martin")


def sign_in_with_form(context, live_server, email="camille@example.com", password="Pass-word-123"):
    """Through the sign-in page, as a person does (test_lists.py and test_csp.py)."""
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")  # signing in lands on the dashboard (home)
    page.goto(f"{live_server.url}/contacts/")  # where most tests start
    return page


def sign_in(context, live_server, email="camille@example.com"):
    """A page of `context` signed in with a session made as Django's test client does, on
    the contacts list (where most tests start): the sign-in form costs two page loads and a
    dashboard per test, and the tests that mean it go through it (sign_in_with_form)."""
    from django.conf import settings
    from django.test import Client

    from comptoir.users.models import User

    client = Client()
    client.force_login(User.objects.get(email=email))
    cookie = settings.SESSION_COOKIE_NAME
    context.add_cookies(
        [{"name": cookie, "value": client.cookies[cookie].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/contacts/")
    return page


@pytest.fixture
def page(browser, live_server, seller):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = sign_in(context, live_server)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server, seller):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-US", is_mobile=True, has_touch=True
    )
    page = sign_in(context, live_server)
    yield page
    context.close()


def settled(page):
    """The filters dialog redrawn after a property or condition changed (htmx marks the request):
    wait for it before reading the redrawn row, which a loaded machine may take seconds to send."""
    from playwright.sync_api import expect

    page.wait_for_load_state("networkidle")
    expect(page.locator("#filters-dialog .htmx-request")).to_have_count(0)


def choose_property(page, row, label: str):
    """Pick a filter row's property and wait for the redrawn row to offer its conditions.
    Returns the redrawn row (a function of the page, as rows are redrawn). One pick only: a
    pick lost while htmx had not yet bound the new dialog (its settle delay) is a bug."""
    from playwright.sync_api import expect

    _property_select(row(page)).select_option(label=label)
    settled(page)
    expect(row(page).get_by_label("Condition")).to_be_visible(timeout=10_000)
    return row(page)


def _property_select(row):
    return row.locator("select[name*='_p']")  # g<group>_p<row>, in either language


def _test_only_list_paths() -> list[str]:
    """The list pages of the object types only the tests install (comptoir/config/
    test_settings.py: "Projects"), which no Comptoir shows."""
    from django.apps import apps
    from django.urls import reverse

    from comptoir.config import settings as production
    from comptoir.core.objects.registry import page_types

    return [
        reverse(f"{ot.name}:list")
        for ot in page_types()
        if apps.get_model(ot.model_label)._meta.app_config.name not in production.INSTALLED_APPS
    ]


# Hides (or shows again) the navigation entries of the given list pages.
_NAV_ENTRIES = """([paths, hide]) => {
  for (const a of document.querySelectorAll("#sidenav a[href]")) {
    if (paths.includes(new URL(a.href).pathname)) a.closest("li").hidden = hide;
  }
}"""


def screenshot(page, name: str) -> None:
    """Keep a picture of the main pages for the README (docs/screenshots), as a Comptoir
    looks: without the navigation entry of the tests' own object type, hidden for the
    picture only (the test then goes on with the page as it was)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    paths = _test_only_list_paths()
    page.evaluate(_NAV_ENTRIES, [paths, True])
    try:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    finally:
        page.evaluate(_NAV_ENTRIES, [paths, False])
