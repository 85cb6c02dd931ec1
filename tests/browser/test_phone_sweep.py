"""Every page of the app on a phone (issue 18, point 6; TOOL-9): each page a signed-in
super admin can open without an argument, found in the URL configuration itself (so a page
added later is swept too), plus a record page of each type, opened in Chromium at 390 px
in French: none scrolls sideways, none logs an error in the console."""

import pytest

from comptoir.core.testing.factories import make_company, make_contact, make_deal, make_user
from tests.browser.conftest import sign_in
from tests.browser.settings_helpers import review_shot

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

# Not pages of the app: machine endpoints, signing in and out, the API, the public pages
# of tracked links, documents, meetings and the website snippet, files to download.
SKIPPED = (
    "/healthz",
    "/readyz",
    "/metrics",
    "/manifest.webmanifest",
    "/sw.js",
    "/login",
    "/logout",
    "/password-reset",
    "/language/",
    "/crm/",
    "/files/",
    "/integrations/",
    "/webhooks/v3",
    "/oauth",
    "/account-info",
    "/settings/v3",
    "/events/",
    "/t/",
    "/p/",
    "/d/",
    "/meet/",
    "/admin/",
    "/api/docs",  # Swagger UI's own page
)


def page_paths() -> list[str]:
    """The URL configuration's routes without arguments (`path()` ones), minus SKIPPED."""
    from django.urls import URLPattern, URLResolver, get_resolver
    from django.urls.resolvers import RoutePattern

    found = []

    def walk(patterns, prefix):
        for entry in patterns:
            if not isinstance(entry.pattern, RoutePattern):
                continue  # a regular expression: not a plain page
            route = prefix + str(entry.pattern)
            if "<" in route:
                continue
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route)
            elif isinstance(entry, URLPattern):
                found.append("/" + route)

    walk(get_resolver().url_patterns, "")
    return sorted({p for p in found if not p.startswith(SKIPPED)})


def test_every_page_fits_a_phone_in_french(browser, live_server, transactional_db):
    admin = make_user("camille@example.com", role="Super admin")
    admin.language = "fr"
    admin.save(update_fields=["language"])
    company = make_company(name="Globex", domain="globex.fr")
    contact = make_contact(email="anne@globex.fr", firstname="Anne", lastname="Durand")
    deal = make_deal(dealname="Renouvellement Globex")
    records = [f"/companies/{company.pk}/", f"/contacts/{contact.pk}/", f"/deals/{deal.pk}/"]
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="fr-FR", is_mobile=True, has_touch=True
    )
    page = sign_in(context, live_server)
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(f"{page.url}: {m.text}"))
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    wide, seen = [], []
    for path in page_paths() + records:
        # Asked first with the same cookies: a POST-only action, a download or a redirect
        # elsewhere is not a page to look at.
        answer = page.request.get(f"{live_server.url}{path}", max_redirects=0)
        kind = answer.headers.get("content-type", "")
        if answer.status != 200 or not kind.startswith("text/html"):
            continue
        if "<html" not in answer.text()[:500].lower():
            continue  # a fragment that a page inserts (a dialog, a picker): not a page
        page.goto(f"{live_server.url}{path}")
        seen.append(path)
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide.append((path, width))
            review_shot(page, "phone-sweep" + path.replace("/", "-").rstrip("-"))
    assert len(seen) >= 40, seen  # the sweep did open the app's pages
    assert not wide, f"pages wider than the phone: {wide}"
    assert not errors, errors
