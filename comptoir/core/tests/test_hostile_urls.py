"""Every UI URL, filled with hostile values, answers below 500 (issue 13, point 6).

The URL patterns are walked from the resolver, so a new page is covered without listing
it here: each path converter gets huge ids (23 and 30 digits, past bigint), 0, unknown
names, and each page's forms are posted back with hostile values (huge ids in every
field, NUL bytes, 1e400). An admin and a restricted rep both try, GET and POST."""

import re
from html.parser import HTMLParser

import pytest
from django.db import transaction
from django.urls import Resolver404, URLResolver, get_resolver, resolve

from comptoir.core.objects.registry import get_object_type
from comptoir.core.records.values import base_queryset
from comptoir.core.savedviews.models import SavedView
from comptoir.core.testing.factories import (
    make_activity,
    make_company,
    make_contact,
    make_deal,
    make_user,
)

HUGE_30 = "9" * 30
HUGE_23 = "9" * 23
PAST_BIGINT = str(2**63)
NAMES = {  # a real value for each named string parameter, to reach deep into the views
    "object_type": "contacts",
    "name": "firstname",
    "target": "companies",
    "kind": "note",
    "pipeline_id": "default",
    "stage_id": "appointmentscheduled",
    "uidb64": "MQ",
    "token": "nope",
}
# Digits to str.isdigit() that int() refuses ("²") or reads as 12 (Arabic-Indic, fullwidth).
ODD_DIGITS = ["²", "١٢", "\uff11\uff12"]
HOSTILE_FIELD_VALUES = [
    HUGE_30,
    PAST_BIGINT,
    "1e400",
    "NaN",
    "nope",
    "x\x00y",
    "x" * 5000,
    *ODD_DIGITS,
]
HOSTILE_QUERY_VALUES = [HUGE_30, "1e400", "nope", "x\x00y", "9999-12-31", "0001-01-01", *ODD_DIGITS]
SKIPPED = {"logout"}  # would sign the client out for the following requests
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def ui_routes():
    """[(route, name)] of every URL pattern but the API's (tested in hubspot_api)."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "hubspot_api":
                    continue
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif pattern.name not in SKIPPED:
                found.append((prefix + str(pattern.pattern), pattern.name))

    walk(get_resolver().url_patterns, "")
    return found


def fill(route: str, ints: str, names: dict | None) -> str:
    def value(match):
        converter, name = match.group(1) or "str", match.group(2)
        if converter in ("id", "int"):
            return ints
        return names.get(name, "nope") if names is not None else "nope"

    return "/" + PARAM.sub(value, route)


FIELDS = ("input", "select", "textarea", "button")


class _Forms(HTMLParser):
    """What a page sends: [(url, method, [field names])] of its forms and htmx elements."""

    def __init__(self, page: str):
        super().__init__()
        self.page = page
        self.sends: list = []
        self.form = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            url = attrs.get("hx-post") or attrs.get("action") or self.page
            method = "post" if attrs.get("hx-post") else (attrs.get("method") or "get").lower()
            self.form = (url, method, [])
            self.sends.append(self.form)
        elif tag in FIELDS and attrs.get("name") and self.form is not None:
            self.form[2].append(attrs["name"])
        for verb in ("get", "post"):
            url = attrs.get(f"hx-{verb}")
            if url and tag != "form":
                self.sends.append((url, verb, [attrs["name"]] if attrs.get("name") else []))

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None


def _sends(html: str, page: str) -> list:
    parser = _Forms(page)
    parser.feed(html)
    found = set()
    for url, method, fields in parser.sends:
        url = url or page
        if url.startswith("?"):
            url = page.split("?")[0] + url
        if url.startswith("/") and not url.startswith("/logout"):
            found.add((url, method, tuple(sorted(set(fields)))))
    return sorted(found)


@pytest.fixture
def world(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed
    from comptoir.core.savedviews.services import save_view
    from comptoir.salestools.call_queue import create_queue
    from comptoir.users import teams_and_roles
    from comptoir.users.models import Role
    from comptoir.users.services import create_token

    admin = make_user("admin@example.com", role="Super admin")
    rep = make_user("rep@example.com", role="Sales rep – private")  # noqa: RUF001
    company = make_company(name="Acme", hubspot_owner_id=str(rep.owner.pk))
    link = [("companies", company.pk, None)]
    contact = make_contact(email="ann@example.com", associations=link)
    to_contact = [("contacts", contact.pk, None)]
    deal = make_deal(associations=to_contact)
    task = make_activity("tasks", hs_task_subject="Call back", associations=to_contact)
    make_activity("notes", hs_note_body="<p>Hello</p>", associations=to_contact)
    ids = {
        "contacts": {"pk": contact.pk, "to_id": company.pk},
        "companies": {"pk": company.pk, "to_id": contact.pk},
        "deals": {"pk": deal.pk, "to_id": company.pk},
        "tasks": {"pk": task.pk, "to_id": contact.pk},
    }
    for user in (admin, rep):
        queue = create_queue(user, [contact.pk], name="Morning calls")
        view = save_view(user, get_object_type("contacts"), f"Mine {user.pk}", filter_groups=[])
        create_token(user, "script")
    ids["sales-tools"] = {"queue_id": queue.pk}
    ids["contacts"]["view_id"] = view.pk
    ids["settings/team/users"] = {"pk": rep.pk}
    ids["settings/team/teams"] = {"pk": teams_and_roles.save_team(None, "Paris", [rep]).pk}
    ids["settings/team/roles"] = {"pk": Role.objects.get(name="Sales rep").pk}
    return admin, rep, ids


def real_path(route: str, ids: dict) -> str:
    """`route` with the world's ids (the longest matching prefix's) and real names."""
    known = max((p for p in ids if route.startswith(p)), key=len, default=None)
    values = ids.get(known, {})

    def value(match):
        converter, name = match.group(1) or "str", match.group(2)
        if converter in ("id", "int"):
            return str(values.get(name, 1))
        return NAMES.get(name, "nope")

    return "/" + PARAM.sub(value, route)


class _Failed(Exception):
    def __init__(self, response):
        self.response = response


def _send(client, method, url, data=None):
    """The answer to one request, in a savepoint: a failure on PostgreSQL aborts the
    transaction, and the requests after it would fail for that reason alone."""
    client.raise_request_exception = False
    send = client.get if method == "get" else client.post
    headers = {"HX-Request": "true"} if method == "post" else {}
    try:
        with transaction.atomic():
            response = send(url, data or {}, headers=headers)
            if response.status_code >= 500:
                raise _Failed(response)
    except _Failed as failed:
        return failed.response
    return response


def _sign_in(client, world, who):
    admin, rep, _ids = world
    client.force_login(admin if who == "admin" else rep)
    client.cookies["django_language"] = "en"


@pytest.mark.parametrize("who", ["admin", "rep"])
def test_every_ui_url_with_hostile_path_values_answers_below_500(client, world, who):
    _sign_in(client, world, who)
    failures = []
    for route, name in ui_routes():
        urls = {fill(route, ints, NAMES) for ints in (HUGE_30, HUGE_23, PAST_BIGINT, "0")}
        urls.add(fill(route, "1", None))
        for url in sorted(urls):
            for method in ("get", "post"):
                response = _send(client, method, url)
                if response.status_code >= 500:
                    failures.append(f"{method.upper()} {url} ({name}): {response.status_code}")
    assert not failures, "\n".join(failures)


# Query parameters the UI's views read (grep request.GET), each given hostile values.
QUERY_PARAMS = (  # noqa: SIM905 (one string: shorter than a list of 34)
    "after all archived assoc assoc_q back compose create cursor edit filters group last move "
    "moved next object objects page per_page part pipeline q sort type view where who period "
    "from to due_from due_to owner status"
).split()


def probes(ids: dict, value: str) -> list:
    """Requests the pages' scripts build (no form in the HTML says them): (method, url, data)."""
    queue = ids["sales-tools"]["queue_id"]
    contact, company = ids["contacts"]["pk"], ids["contacts"]["to_id"]
    card = f"/contacts/{contact}/associations/companies"
    return [
        ("post", f"{card}/add/", {"to_id": value}),
        ("post", f"{card}/add/", {"to_id": company, "label": value}),
        ("post", f"{card}/{company}/labels/", {"label": [value]}),
        ("post", "/search/filters/contacts/", {"add": f"row:{value}"}),
        ("get", "/contacts/", {"view": value}),
        ("get", "/tasks/", {"owner": value}),
        ("get", "/deals/board/", {"move": value}),
        ("post", "/deals/board/move/", {"deal": value, "from": value, "stage": "closedwon"}),
        ("get", "/tasks/", {"edit": value}),
        ("post", "/tasks/add/", {"hs_task_subject": "T", "assoc": f"contacts:{value}"}),
        ("get", f"/sales-tools/calls/{queue}/", {"after": value}),
        ("post", "/sales-tools/calls/new/", {"ids": [value, contact], "name": value}),
        ("post", "/contacts/bulk/", {"ids": [value, contact], "action": "assign_owner"}),
        ("get", "/dashboard/", {"who": f"owner:{value}"}),
        ("get", "/dashboard/", {"who": f"team:{value}"}),
    ]


@pytest.mark.parametrize("who", ["admin", "rep"])
def test_every_page_and_form_with_hostile_values_answers_below_500(client, world, who):
    _sign_in(client, world, who)
    pages = sorted({real_path(route, world[2]) for route, _name in ui_routes()})
    failures = []

    def check(method, url, data=None):
        response = _send(client, method, url, data)
        if response.status_code >= 500:
            failures.append(f"{method.upper()} {url} {data or ''}: {response.status_code}")
        return response

    for value in HOSTILE_FIELD_VALUES:
        for method, url, data in probes(world[2], value):
            check(method, url, data)
    sent = set()  # forms shared by many pages (search, notifications) are sent once
    for page in pages:
        response = check("get", page)
        for value in HOSTILE_QUERY_VALUES:
            check("get", page, dict.fromkeys(QUERY_PARAMS, value))
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for url, method, fields in _sends(response.content.decode(), page):
            try:  # the same view for many links (each property's edit and history)
                key = (resolve(url.split("?")[0]).route, method, fields)
            except Resolver404:
                key = (url, method, fields)
            if key in sent:
                continue
            sent.add(key)
            for value in HOSTILE_FIELD_VALUES:
                check(method, url, dict.fromkeys(fields, value))
    assert not failures, "\n".join(failures)


def test_a_nul_in_a_form_field_answers_400_naming_the_field(client, world):
    _sign_in(client, world, "admin")
    views = SavedView.objects.count()
    response = client.post("/contacts/views/", {"name": "Mine\x00", "shared": "on"})
    assert response.status_code == 400
    assert "“name”" in response.content.decode()
    assert SavedView.objects.count() == views


def test_a_value_no_column_holds_is_a_form_error_naming_the_field(client, world):
    _sign_in(client, world, "admin")
    for amount in ("1e26", "1e400", "1000000000000000000"):
        data = {"dealname": "Big", "dealstage": "appointmentscheduled", "amount": amount}
        response = client.post("/deals/create/", data, headers={"HX-Request": "true"})
        assert response.status_code == 422, amount
        assert "out of range" in response.content.decode()
    assert not base_queryset("deals").filter(dealname="Big").exists()
