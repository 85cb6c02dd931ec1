"""The list pages' filters as a French sales team uses them (issue 14, points 2 and 7):
options by label, owners by name and "me", days typed as 01/12/2026, rolling periods kept
relative, chips that remove a condition, quick filters, and columns kept in their order."""

import datetime as dt
import json
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.utils import timezone

from comptoir.core.savedviews.models import SavedView
from comptoir.core.testing.budgets import query_budget
from comptoir.core.testing.factories import make_contact, make_user
from comptoir.core.testing.html import select, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def french(client_in, user):
    user.language = "fr"
    user.save(update_fields=["language"])
    client_in.cookies["django_language"] = "fr"
    return client_in


def names_in(response) -> list[str]:
    return sorted(a.text for a in select(response, "div.name-cell > a[href]"))


def filters_of(location: str) -> list:
    return json.loads(parse_qs(urlsplit(location).query)["filters"][0])


def apply(client, rows: dict, object_type="contacts"):
    return client.post(f"/search/filters/{object_type}/", {**rows, "add": ""})


@pytest.fixture
def people(user):
    alyssa = make_user("alyssa@example.com", first_name="Alyssa", last_name="Haynes")
    make_contact(email="lea@acme.fr", firstname="Léa", lifecyclestage="lead")
    make_contact(
        email="max@acme.fr",
        firstname="Max",
        lifecyclestage="customer",
        hubspot_owner_id=alyssa.owner.pk,
    )
    make_contact(email="rita@acme.fr", firstname="Ritou", hubspot_owner_id=user.owner.pk)
    return alyssa


def test_lifecycle_stage_is_lead_by_its_label(french, people):
    response = apply(french, {"g0_p0": "lifecyclestage", "g0_o0": "EQ", "g0_v0": "Lead"})
    assert response.status_code == 302
    assert filters_of(response["Location"])[0]["filters"][0]["value"] == "lead"
    page = french.get(response["Location"])
    assert names_in(page) == ["Léa"]
    chip = text_of(select(page, "li.filter-chip")[0])
    assert chip == "Phase du cycle de vie est Lead"


def test_a_label_in_a_link_is_read_as_its_option_and_an_unknown_one_is_named(french, people):
    link = [{"filters": [{"propertyName": "lifecyclestage", "operator": "EQ", "value": "Client"}]}]
    page = french.get("/contacts/?" + urlencode({"filters": json.dumps(link)}))
    assert names_in(page) == ["Max"]
    link[0]["filters"][0]["value"] = "Prospect chaud"
    page = french.get("/contacts/?" + urlencode({"filters": json.dumps(link)}))
    assert page.status_code == 200
    alert = text_of(select(page, "div.form-errors")[0])
    assert "Phase du cycle de vie" in alert and "Prospect chaud" in alert
    # An owner id that is nobody here (another team's, another portal's) is named too.
    link = [{"filters": [{"propertyName": "hubspot_owner_id", "operator": "EQ", "value": "98765"}]}]
    page = french.get("/contacts/?" + urlencode({"filters": json.dumps(link)}))
    alert = text_of(select(page, "div.form-errors")[0])
    assert "Propriétaire du contact" in alert and "98765" in alert


def test_is_any_of_takes_several_options(french, people):
    response = apply(
        french, {"g0_p0": "lifecyclestage", "g0_o0": "IN", "g0_v0": ["lead", "customer"]}
    )
    assert names_in(french.get(response["Location"])) == ["Léa", "Max"]


def test_owner_by_name_and_me(french, people, user):
    response = apply(french, {"g0_p0": "hubspot_owner_id", "g0_o0": "EQ", "g0_v0": "Alyssa Haynes"})
    assert names_in(french.get(response["Location"])) == ["Max"]
    response = apply(french, {"g0_p0": "hubspot_owner_id", "g0_o0": "EQ", "g0_v0": "moi"})
    assert filters_of(response["Location"])[0]["filters"][0]["value"] == "me"
    page = french.get(response["Location"])
    assert names_in(page) == ["Ritou"]
    assert text_of(select(page, "li.filter-chip")[0]) == "Propriétaire du contact est Moi"
    # A saved view keeps "me": it shows each teammate their own records.
    french.post("/contacts/views/?" + urlsplit(response["Location"]).query, {"name": "À moi"})
    view = SavedView.objects.get(name="À moi")
    assert view.filter_groups[0]["filters"][0]["value"] == "me"
    from django.test import Client

    alyssa = Client()
    alyssa.force_login(people)
    view.shared = True
    view.save()
    assert names_in(alyssa.get(f"/contacts/?view={view.pk}")) == ["Max"]


def test_hostile_values_are_named_never_a_crash(french, people):
    for rows, words in [
        ({"g0_p0": "createdate", "g0_o0": "GT", "g0_v0": "32/13/2026"}, "Date de création"),
        ({"g0_p0": "createdate", "g0_o0": "GT", "g0_v0": "<script>"}, "Date de création"),
        ({"g0_p0": "lifecyclestage", "g0_o0": "EQ", "g0_v0": "nope"}, "Phase du cycle de vie"),
        ({"g0_p0": "hubspot_owner_id", "g0_o0": "EQ", "g0_v0": "999999"}, "Propriétaire"),
        ({"g0_p0": "num_associated_deals", "g0_o0": "GT", "g0_v0": "beaucoup"}, "transactions"),
        ({"g0_p0": "createdate", "g0_o0": "ROLLING", "g0_v0": "before", "g0_n0": "x"}, "jours"),
        ({"g0_p0": "createdate", "g0_o0": "DROP TABLE", "g0_v0": "1"}, None),
    ]:
        response = apply(french, rows)
        if words is None:  # an unknown condition falls back to the kind's first one
            assert response.status_code in (302, 422)
            continue
        assert response.status_code == 422, rows
        message = " ".join(text_of(n) for n in select(response, "div.form-errors"))
        assert words in message, (rows, message)
    hostile = [{"filters": [{"propertyName": "createdate", "operator": "ROLLING", "value": "x"}]}]
    page = french.get("/contacts/?" + urlencode({"filters": json.dumps(hostile)}))
    assert page.status_code == 200 and select(page, "div.form-errors")


def test_days_typed_in_french_on_a_date_time(french, user):
    now = timezone.now()
    old = make_contact(email="old@acme.fr", firstname="Ancien")
    recent = make_contact(email="new@acme.fr", firstname="Récent")
    from comptoir.contacts.models import Contact

    Contact.objects.filter(pk=old.pk).update(created_at=now - dt.timedelta(days=40))
    Contact.objects.filter(pk=recent.pk).update(created_at=now - dt.timedelta(days=2))
    cut = (now - dt.timedelta(days=10)).strftime("%d/%m/%Y")
    response = apply(french, {"g0_p0": "createdate", "g0_o0": "GT", "g0_v0": cut})
    assert response.status_code == 302
    page = french.get(response["Location"])
    assert names_in(page) == ["Récent"]
    assert text_of(select(page, "li.filter-chip")[0]) == f"Date de création est après {cut}"

    # A rolling period stays relative in links and saved views.
    response = apply(
        french, {"g0_p0": "createdate", "g0_o0": "ROLLING", "g0_v0": "before", "g0_n0": "30"}
    )
    assert filters_of(response["Location"])[0]["filters"][0] == {
        "propertyName": "createdate",
        "operator": "ROLLING",
        "value": "before:30",
    }
    page = french.get(response["Location"])
    assert names_in(page) == ["Ancien"]
    assert text_of(select(page, "li.filter-chip")[0]) == (
        "Date de création est il y a plus de 30 jours"
    )
    french.post("/contacts/views/?" + urlsplit(response["Location"]).query, {"name": "Anciens"})
    view = SavedView.objects.get(name="Anciens")
    assert view.filter_groups[0]["filters"][0]["value"] == "before:30"
    assert names_in(french.get(f"/contacts/?view={view.pk}")) == ["Ancien"]
    # The dialog shows the stored days again in the reader's format.
    dialog = french.get("/search/filters/contacts/?" + urlsplit(response["Location"]).query)
    assert select(dialog, 'select[name="g0_v0"] option[value="before"][selected]')
    assert select(dialog, 'input[name="g0_n0"][value="30"]')


def test_chips_remove_one_condition_each(french, people):
    groups = [
        {
            "filters": [
                {
                    "propertyName": "lifecyclestage",
                    "operator": "IN",
                    "values": ["lead", "customer"],
                },
                {"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "acme.fr"},
            ]
        }
    ]
    page = french.get("/contacts/?" + urlencode({"filters": json.dumps(groups)}))
    chips = select(page, "li.filter-chip")
    assert [text_of(c.children[0]) for c in chips] == [
        "Phase du cycle de vie est l'un de Lead, Client",
        "E-mail contient acme.fr",
    ]
    remove = select(chips[0], "a.chip-remove")[0]
    assert remove.get("aria-label") == (
        "Retirer le filtre : Phase du cycle de vie est l'un de Lead, Client"
    )
    left = french.get("/contacts/" + remove.get("href"))
    assert [text_of(c.children[0]) for c in select(left, "li.filter-chip")] == [
        "E-mail contient acme.fr"
    ]
    assert names_in(left) == ["Léa", "Max", "Ritou"]


def test_quick_filters_come_from_the_type_and_replace_their_condition(french, people):
    page = french.get("/contacts/")
    labels = [text_of(n) for n in select(page, "details.quick-filter fieldset > legend")]
    assert labels == [
        "Propriétaire du contact",
        "Date de création",
        "Date de la dernière activité",
        "Phase du cycle de vie",
    ]
    stage = select(page, "details.quick-filter")[3]
    options = [text_of(label) for label in select(stage, "label")]
    assert "Lead" in options and "Client" in options
    response = french.post(
        "/search/filters/contacts/quick/", {"property": "lifecyclestage", "values": ["customer"]}
    )
    assert names_in(french.get(response["Location"])) == ["Max"]
    query = urlsplit(response["Location"]).query
    response = french.post(
        "/search/filters/contacts/quick/?" + query,
        {"property": "lifecyclestage", "values": ["lead"]},
    )
    assert filters_of(response["Location"]) == [
        {"filters": [{"propertyName": "lifecyclestage", "operator": "IN", "values": ["lead"]}]}
    ]
    response = french.post(
        "/search/filters/contacts/quick/?" + urlsplit(response["Location"]).query,
        {"property": "lifecyclestage", "clear": "1"},
    )
    assert "filters" not in response["Location"]
    for name in ("companies", "deals"):
        assert select(french.get(f"/{name}/"), "details.quick-filter")


def test_columns_keep_the_order_chosen(client_in):
    make_contact(email="col@gmail.com", firstname="Col", jobtitle="CTO")
    client_in.post(
        "/contacts/columns/?view=all", {"columns": ["lifecyclestage", "email", "jobtitle"]}
    )
    response = client_in.get("/contacts/")
    headers = [a.text for a in select(response, 'th[scope="col"] > a[href]')]
    assert headers == ["Name", "Lifecycle stage", "Email", "Job title"]
    dialog = client_in.get("/contacts/columns/")
    chosen = [n.get("value") for n in select(dialog, "ol.column-order input[name=columns]")]
    assert chosen == ["lifecyclestage", "email", "jobtitle"]
    assert select(dialog, 'ol.column-order button[data-move="up"]')


def test_filtered_list_query_budget(client_in, user):
    """Chips, quick filters and relative values cost no query per row or per condition."""
    owners = [user.owner.pk, make_user("other@example.com").owner.pk]
    for i in range(12):
        make_contact(
            email=f"q{i}@co.fr",
            firstname=f"Q{i}",
            lifecyclestage="lead",
            hubspot_owner_id=owners[i % 2],
        )
    groups = [
        {
            "filters": [
                {
                    "propertyName": "lifecyclestage",
                    "operator": "IN",
                    "values": ["lead", "customer"],
                },
                {
                    "propertyName": "hubspot_owner_id",
                    "operator": "IN",
                    "values": ["me", str(owners[1])],
                },
                {"propertyName": "createdate", "operator": "ROLLING", "value": "last:30"},
            ]
        }
    ]
    url = "/contacts/?" + urlencode({"filters": json.dumps(groups)})
    client_in.get(url)  # warm the definition caches like a running server
    with query_budget("ui.list.contacts.filtered"):
        response = client_in.get(url)
    assert len(names_in(response)) == 12
    assert len(select(response, "li.filter-chip")) == 3


@pytest.mark.parametrize(
    "raw",
    [
        "[1]",
        '{"a": 1}',
        '[{"filters": [1]}]',
        '[{"filters": [{"propertyName": "createdate", "operator": "ROLLING", "value": 5}]}]',
        '[{"filters": [{"propertyName": "createdate", "operator": "ROLLING"}]}]',
        '[{"filters": [{"propertyName": "createdate", "operator": "EQ", "value": "2026-13-45"}]}]',
        '[{"filters": [{"propertyName": "hubspot_owner_id", "operator": "IN", "values": [{}]}]}]',
        '[{"filters": [{"propertyName": "hubspot_owner_id", "operator": "IN", "values": "me"}]}]',
        '[{"filters": [{"propertyName": "lifecyclestage", "operator": "EQ", "value": true}]}]',
        '[{"filters": [{"propertyName": "hs_lead_status", "operator": "BETWEEN", "value": "x"}]}]',
    ],
)
def test_hostile_links_are_explained_never_a_crash(french, raw):
    for path in ("/contacts/", "/search/filters/contacts/", "/deals/board/"):
        response = french.get(
            path.replace("contacts", "contacts") + "?" + urlencode({"filters": raw})
        )
        assert response.status_code in (200, 404), (path, raw)
