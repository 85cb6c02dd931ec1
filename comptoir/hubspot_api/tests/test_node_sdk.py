"""The official Node SDK (`@hubspot/api-client`, pinned in package.json) against a real
`comptoir serve` process, with only `basePath` changed (issue 15, point 7).

One `comptoir serve` (and one task worker, for imports) serves the whole module on a
database of its own (SQLite file, or PostgreSQL when the suite runs on it). Each scenario is
a Node script in `node/`, run with `node`; it prints its results and every request the SDK
sent with its status, and this module compares them with what the database holds."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from comptoir.core.testing.processes import (
    _copied_site,
    _site_template,  # noqa: F401 (the session fixture the module's site copies)
)

ROOT = Path(__file__).resolve().parents[3]
SCRIPTS = Path(__file__).parent / "node"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="Node.js is not installed (node not found)")


@pytest.fixture(scope="module")
def node_site(_site_template, tmp_path_factory):  # noqa: F811
    if not (ROOT / "node_modules" / "@hubspot" / "api-client").is_dir():
        pytest.fail("@hubspot/api-client is not installed: `./run tests` installs it (npm ci)")
    for site in _copied_site(_site_template, tmp_path_factory.mktemp("node-sdk") / "site"):
        site.serve()
        site.start("worker", "--no-scheduler", "--interval", "0.2", log="worker.log")
        yield site


def scenario(site, name: str, **given) -> dict:
    """Run node/<name>.js; {result, error, calls}. A scenario that fails shows its error."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "COMPTOIR_URL": site.url,
        "COMPTOIR_TOKEN": site.token,
        "SCENARIO_INPUT": json.dumps(given),
        "NODE_PATH": str(ROOT / "node_modules"),
    }
    done = subprocess.run(
        [NODE, str(SCRIPTS / f"{name}.js")],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    # Every request the SDK made, with its status, for the report when a test fails.
    print(name, json.dumps(out["calls"]))
    return out


def ok(out: dict):
    assert out["error"] is None, out["error"]
    return out["result"]


def statuses(out: dict) -> list[tuple[str, str, int]]:
    return [(c["method"], c["path"].split("?")[0], c["status"]) for c in out["calls"]]


def db(site, code: str):
    """JSON printed by `code` run in a Django shell on the site's database."""
    return json.loads(site.python(code).strip().splitlines()[-1])


def api(site, path: str):
    status, _, body = site.request("GET", path)
    assert status == 200, body
    return json.loads(body)


# -- scenarios ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def contacts(node_site):
    return scenario(node_site, "contacts")


def test_contacts(node_site, contacts):
    result = ok(contacts)
    stored = db(
        node_site,
        "import json\nfrom comptoir.contacts.models import Contact\n"
        "print(json.dumps([[str(c.pk), c.email, c.lastname, c.archived] for c in "
        "Contact.objects.order_by('pk')]))",
    )
    live = [[pk, email, last] for pk, email, last, archived in stored if not archived]
    assert result["read"]["email"] == "ada@example.com" and result["read"]["lastname"] == "Lovelace"
    assert result["updatedLastname"] == "King"
    assert result["batchStatus"] == "COMPLETE"
    grace = next(pk for pk, email, _ in live if email == "grace@example.com")
    assert result["found"] == [[grace, "grace@example.com", "Grace"]] and result["foundTotal"] == 1
    assert [result["archived"], "alan@example.com", None, True] in [
        [pk, email, last, archived] for pk, email, last, archived in stored
    ]
    assert result["page"] == [[pk, email, last or None] for pk, email, last in live]
    assert result["all"] == [pk for pk, _, _ in live]
    assert statuses(contacts) == [
        ("POST", "/crm/v3/objects/contacts", 201),
        ("GET", f"/crm/v3/objects/contacts/{result['id']}", 200),
        ("PATCH", f"/crm/v3/objects/contacts/{result['id']}", 200),
        ("POST", "/crm/v3/objects/contacts/batch/create", 201),
        ("POST", "/crm/v3/objects/contacts/search", 200),
        ("DELETE", f"/crm/v3/objects/contacts/{result['archived']}", 204),
        ("GET", "/crm/v3/objects/contacts", 200),
        ("GET", "/crm/v3/objects/contacts", 200),
    ]


@pytest.fixture(scope="module")
def companies_deals(node_site, contacts):
    return scenario(node_site, "companies_deals")


def test_companies_and_deals(node_site, companies_deals):
    result = ok(companies_deals)
    stored = db(
        node_site,
        "import json\nfrom comptoir.deals.models import Deal\nfrom comptoir.companies.models "
        "import Company\nd = Deal.objects.get()\nc = Company.objects.get()\n"
        "print(json.dumps([str(c.pk), c.name, c.domain, str(d.pk), d.dealname, str(d.amount), "
        "d.pipeline, d.dealstage]))",
    )
    company = result["company"]
    assert [company["id"], company["name"], company["domain"]] == stored[:3]
    deal = result["deal"]
    assert [deal["id"], deal["dealname"], deal["pipeline"], deal["dealstage"]] == [
        stored[3],
        stored[4],
        stored[6],
        stored[7],
    ]
    assert float(deal["amount"]) == float(stored[5]) == 1500.5
    assert [deal["pipeline"], deal["dealstage"]] == [result["pipeline"], result["stage"]]
    # One entry per association type (primary and unlabeled), as HubSpot lists them.
    assert {pk for pk, _ in deal["companies"]} == {company["id"]}
    assert result["dealIds"] == [deal["id"]] and result["companyIds"] == [company["id"]]
    assert {s for _, _, s in statuses(companies_deals)} == {200, 201}


@pytest.fixture(scope="module")
def linked(node_site, contacts, companies_deals):
    return {
        "contact": ok(contacts)["id"],
        "company": ok(companies_deals)["company"]["id"],
        "deal": ok(companies_deals)["deal"]["id"],
    }


def test_associations_v4(node_site, linked):
    out = scenario(node_site, "associations", **linked)
    result = ok(out)
    contact, company, deal = linked["contact"], linked["company"], linked["deal"]
    assert result["defaultTypes"] == [[contact, company, 279], [company, contact, 280]]
    assert result["labelled"] == [[deal, contact]]
    # The contact's first company also became its primary one (type 1).
    assert result["page"] == [[company, [1, 279]]]
    assert result["batch"] == [[contact, [deal]]]
    assert result["afterArchive"] == 0
    # What the server holds now, read without the SDK.
    held = api(node_site, f"/crm/v4/objects/contacts/{contact}/associations/companies")
    assert [
        [str(r["toObjectId"]), [t["typeId"] for t in r["associationTypes"]]]
        for r in held["results"]
    ] == result["page"]
    assert api(node_site, f"/crm/v4/objects/deals/{deal}/associations/contacts")["results"] == []
    labels = api(node_site, "/crm/v4/associations/contacts/companies/labels")["results"]
    assert result["labelTypeIds"] == sorted(label["typeId"] for label in labels)
    assert statuses(out) == [
        (
            "PUT",
            f"/crm/v4/objects/contacts/{contact}/associations/default/companies/{company}",
            200,
        ),
        ("POST", "/crm/v4/associations/deals/contacts/batch/create", 201),
        ("GET", f"/crm/v4/objects/contacts/{contact}/associations/companies", 200),
        ("POST", "/crm/v4/associations/contacts/deals/batch/read", 200),
        ("GET", "/crm/v4/associations/contacts/companies/labels", 200),
        ("DELETE", f"/crm/v4/objects/deals/{deal}/associations/contacts/{contact}", 204),
        ("GET", f"/crm/v4/objects/deals/{deal}/associations/contacts", 200),
    ]


def test_properties(node_site, linked):
    out = scenario(node_site, "properties", contact=linked["contact"])
    result = ok(out)
    assert result["created"] == [
        "favourite_engine",
        "enumeration",
        "select",
        ["analytical", "difference"],
    ]
    assert result["read"] == ["favourite_engine", "Favourite engine", "contactinformation"]
    assert result["listed"] and result["value"] == "difference"
    stored = db(
        node_site,
        "import json\nfrom comptoir.core.properties.models import PropertyDefinition as P\n"
        "print(json.dumps(sorted(P.objects.filter(object_type='contacts', archived=False)"
        ".values_list('name', flat=True))))",
    )
    assert result["names"] == stored
    assert {s for _, _, s in statuses(out)} == {200, 201}


def test_pipelines_and_owners(node_site):
    out = scenario(node_site, "pipelines_owners")
    result = ok(out)
    held = api(node_site, "/crm/v3/pipelines/deals")["results"]
    assert result["pipelines"] == [
        [p["id"], p["label"], [s["id"] for s in p["stages"]]] for p in held
    ]
    assert result["one"] == result["pipelines"][0][:2]
    assert [s[0] for s in result["stages"]] == result["pipelines"][0][2]
    owners = db(
        node_site,
        "import json\nfrom comptoir.users.models import User\n"
        "print(json.dumps([[str(u.pk), u.email] for u in User.objects.filter(is_active=True)"
        ".order_by('pk')]))",
    )
    assert sorted([o[0], o[1]] for o in result["owners"]) == sorted(owners)
    assert result["owner"] == result["owners"][0][:2]
    assert {s for _, _, s in statuses(out)} == {200}


def test_notes(node_site, linked):
    out = scenario(node_site, "notes", contact=linked["contact"])
    result = ok(out)
    assert result["body"] == "Met at the Royal Society"
    assert result["timestamp"].startswith("2026-01-15T10:00:00")
    assert result["contacts"] == [linked["contact"]]
    stored = db(
        node_site,
        "import json\nfrom comptoir.activities.models import Activity\n"
        "print(json.dumps([str(n.pk) for n in Activity.objects.filter(object_type_name='notes', "
        "archived=False).order_by('pk')]))",
    )
    assert result["listed"] == result["generic"] == stored == [result["id"]]
    assert statuses(out)[0] == ("POST", "/crm/v3/objects/notes", 201)


def test_imports_and_import_errors(node_site, contacts):
    out = scenario(node_site, "imports")
    result = ok(out)
    assert result["state"] == "DONE", (result, node_site.log("worker.log")[-3000:])
    emails = db(
        node_site,
        "import json\nfrom comptoir.contacts.models import Contact\n"
        "print(json.dumps({c.email: [c.firstname, c.lastname] for c in "
        "Contact.objects.filter(email__in=['charles@example.com', 'mary@example.com'])}))",
    )
    assert emails == {
        "charles@example.com": ["Charles", "Babbage"],
        "mary@example.com": ["Mary", "Somerville"],
    }
    assert len(result["errors"]) == 1
    assert result["errors"][0][0] == "INVALID_EMAIL"
    calls = statuses(out)
    assert calls[0] == ("POST", "/crm/v3/imports", 200)
    assert calls[-1] == ("GET", f"/crm/v3/imports/{result['id']}/errors", 200)
    assert {s for _, _, s in calls} == {200}


def test_errors(node_site):
    out = scenario(node_site, "errors")
    result = ok(out)
    missing = result["missing"]
    assert missing["code"] == 404 and missing["body"]["category"] == "OBJECT_NOT_FOUND"
    bad = result["badEmail"]
    assert bad["code"] == 400 and bad["body"]["category"] == "VALIDATION_ERROR"
    unknown = result["unknownProperty"]
    assert unknown["code"] == 400
    assert unknown["body"]["errors"][0]["code"] == "PROPERTY_DOESNT_EXIST"
    token = result["badToken"]
    assert token["code"] == 401 and token["body"]["category"] == "INVALID_AUTHENTICATION"
    assert result["missingAssociation"]["code"] == 404
    assert result["missingImport"]["code"] == 404
    assert [s for _, _, s in statuses(out)] == [404, 400, 400, 401, 404, 404]
