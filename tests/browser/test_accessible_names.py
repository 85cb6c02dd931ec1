"""Every button and link of the main pages has an accessible name at phone width (issue 4,
points 9 and 10): at 390 px labels give way to icons, and a screen reader must still be
able to say what each control does."""

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
