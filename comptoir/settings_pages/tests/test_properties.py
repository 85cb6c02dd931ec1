"""Settings > Properties (SET-1) and the "About" card (SET-2), through the pages."""

import json

import pytest

from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.properties.models import PropertyDefinition
from comptoir.core.testing.factories import make_contact
from comptoir.core.ui.record import about_names

pytestmark = pytest.mark.django_db

SOURCE = {
    "object": "contacts",
    "label": "Source du lead",
    "name": "",
    "kind": "select",
    "group": "contactinformation",
    "description": "Where the lead came from",
    "option_label": ["Salon", "Site web", "Recommandation", ""],
    "option_value": ["", "", "", ""],
}


def create_source(client, **changes):
    return client.post("/settings/properties/new/?object=contacts", {**SOURCE, **changes})


def test_the_list_shows_properties_by_object_group_and_search(admin_client):
    html = admin_client.get("/settings/properties/?object=companies").content.decode()
    assert "Company name" in html or "Name" in html
    assert 'value="companies" selected' in html
    html = admin_client.get("/settings/properties/?object=contacts&q=mail").content.decode()
    assert ">Email</a>" in html
    assert ">First name</a>" not in html
    html = admin_client.get(
        "/settings/properties/?object=contacts&group=contactinformation"
    ).content.decode()
    assert ">First name</a>" in html


def test_an_admin_creates_an_enumeration_whose_name_comes_from_the_label(admin_client):
    response = create_source(admin_client)
    assert response.status_code == 302
    defn = PropertyDefinition.objects.get(object_type="contacts", name="source_du_lead")
    assert defn.type == "enumeration" and defn.field_type == "select"
    assert [o["label"] for o in defn.options] == ["Salon", "Site web", "Recommandation"]
    assert [o["value"] for o in defn.options] == ["Salon", "Site web", "Recommandation"]
    assert defn.description == "Where the lead came from"
    html = admin_client.get(response["Location"]).content.decode()
    assert "Property “Source du lead” created (internal name: source_du_lead)." in html
    assert ">Source du lead</a>" in html

    # Usable right away in the list's filters and columns.
    make_contact(email="a@x.fr", firstname="Alice", source_du_lead="Salon")
    make_contact(email="b@x.fr", firstname="Bruno", source_du_lead="Site web")
    filters = json.dumps(
        [{"filters": [{"propertyName": "source_du_lead", "operator": "EQ", "value": "Salon"}]}]
    )
    html = admin_client.get("/contacts/", {"filters": filters}).content.decode()
    assert "Alice" in html and "Bruno" not in html
    dialog = admin_client.get("/search/filters/contacts/").content.decode()
    assert '<option value="source_du_lead"' in dialog
    columns = admin_client.get("/contacts/columns/").content.decode()
    assert "Source du lead" in columns


def test_a_duplicate_internal_name_is_refused_on_its_field_and_nothing_is_created(admin_client):
    response = create_source(admin_client, label="Email", name="email")
    assert response.status_code == 422
    html = response.content.decode()
    assert "A property with this internal name already exists: choose another." in html
    assert 'id="id_name_error"' in html
    assert PropertyDefinition.objects.filter(object_type="contacts", label="Email").count() == 1


def test_an_enumeration_without_options_and_a_bad_unique_flag_are_refused(admin_client):
    response = create_source(admin_client, option_label=["", ""], option_value=["", ""])
    assert response.status_code == 422
    assert "Add at least one option." in response.content.decode()
    response = create_source(admin_client, unique="on")
    assert "Only text and number properties can require unique values." in (
        response.content.decode()
    )
    assert not PropertyDefinition.objects.filter(name="source_du_lead").exists()


def test_editing_renames_options_without_touching_records_and_refuses_removing_used_ones(
    admin_client,
):
    create_source(admin_client)
    alice = make_contact(email="a@x.fr", source_du_lead="Salon")
    make_contact(email="b@x.fr", source_du_lead="Salon")
    url = "/settings/properties/contacts/source_du_lead/"
    html = admin_client.get(url).content.decode()
    assert "source_du_lead" in html and 'value="Salon"' in html

    # Rename "Salon" and reorder: the records keep their value.
    response = admin_client.post(
        url,
        {
            "label": "Source du lead",
            "group": "contactinformation",
            "description": "",
            "option_label": ["Site web", "Salon professionnel", "Recommandation"],
            "option_value": ["Site web", "Salon", "Recommandation"],
        },
    )
    assert response.status_code == 302
    defn = PropertyDefinition.objects.get(name="source_du_lead")
    assert [(o["label"], o["value"]) for o in defn.options] == [
        ("Site web", "Site web"),
        ("Salon professionnel", "Salon"),
        ("Recommandation", "Recommandation"),
    ]
    alice.refresh_from_db()
    assert alice.properties["source_du_lead"] == "Salon"

    # Removing "Salon" (its label emptied) while two contacts hold it is refused.
    response = admin_client.post(
        url,
        {
            "label": "Renamed",
            "group": "contactinformation",
            "description": "",
            "option_label": ["Site web", "", "Recommandation"],
            "option_value": ["Site web", "Salon", "Recommandation"],
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "2 records still use options you removed" in html
    defn.refresh_from_db()
    assert defn.label == "Source du lead"
    assert len(defn.options) == 3


def test_archive_and_restore_a_custom_property_but_not_a_default_one(admin_client):
    create_source(admin_client)
    response = admin_client.post("/settings/properties/contacts/source_du_lead/archive/")
    assert response.status_code == 302
    assert PropertyDefinition.objects.get(name="source_du_lead").archived
    registry.clear_local()
    assert "source_du_lead" not in registry.definitions("contacts")
    html = admin_client.get("/settings/properties/?object=contacts&archived=1").content.decode()
    assert "Restore Source du lead" in html
    admin_client.post("/settings/properties/contacts/source_du_lead/restore/")
    assert not PropertyDefinition.objects.get(name="source_du_lead").archived

    admin_client.post("/settings/properties/contacts/email/archive/")
    assert not PropertyDefinition.objects.get(object_type="contacts", name="email").archived
    html = admin_client.get("/settings/properties/?object=contacts").content.decode()
    assert "Archive Email" not in html


def test_a_group_is_created_from_its_name(admin_client):
    admin_client.post(
        "/settings/properties/groups/new/?object=deals", {"label": "Qualification BANT"}
    )
    html = admin_client.get("/settings/properties/?object=deals").content.decode()
    assert '<option value="qualification_bant"' in html


def test_the_about_card_is_chosen_and_ordered_per_object(admin_client):
    url = "/settings/properties/about/?object=deals"
    html = admin_client.get(url).content.decode()
    start = about_names(_deals())
    assert start[0] == "amount"
    names = list(start)
    # Move the second one up (keyboard buttons post the current order and the action).
    admin_client.post(url, {"about": names, "action": f"up:{names[1]}"})
    registry.clear_local()
    assert about_names(_deals())[:2] == [names[1], names[0]]
    # Drag and drop posts the whole order.
    reordered = [names[2], names[0], names[1]]
    admin_client.post(url, {"about": reordered, "action": "order"})
    registry.clear_local()
    assert about_names(_deals()) == reordered
    admin_client.post(url, {"about": reordered, "action": "add", "add_name": "description"})
    admin_client.post(url, {"about": [*reordered, "description"], "action": f"remove:{names[2]}"})
    registry.clear_local()
    assert portal().about_properties["deals"] == [names[0], names[1], "description"]
    assert "Move Amount up" in admin_client.get(url).content.decode() or html
    admin_client.post(url, {"about": reordered, "action": "reset"})
    registry.clear_local()
    assert about_names(_deals()) == start


def _deals():
    from comptoir.core.objects.registry import get_object_type

    return get_object_type("deals")


@pytest.mark.parametrize(
    "object_type",
    ["contacts", "companies", "deals", "tasks", "notes", "calls", "emails", "meetings"],
)
def test_every_object_has_its_properties_pages(admin_client, object_type):
    for url in (
        "/settings/properties/",
        "/settings/properties/new/",
        "/settings/properties/about/",
    ):
        response = admin_client.get(url, {"object": object_type})
        assert response.status_code == 200, url
        assert f'<option value="{object_type}" selected>' in response.content.decode() or (
            "new/" in url
        )
    # A property made for it joins its own list, not another object's.
    response = admin_client.post(
        f"/settings/properties/new/?object={object_type}",
        {"label": "Code interne", "kind": "text", "group": _first_group(admin_client, object_type)},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert PropertyDefinition.objects.get(name="code_interne").object_type == object_type


def test_an_unknown_object_is_not_found(admin_client):
    assert admin_client.get("/settings/properties/?object=planets").status_code == 404
    assert admin_client.get("/settings/properties/planets/x/").status_code == 404
    assert admin_client.get("/settings/properties/contacts/nothing_here/").status_code == 404


def _first_group(client, object_type):
    from comptoir.core.properties.models import PropertyGroup

    return PropertyGroup.objects.filter(object_type=object_type).values_list("name", flat=True)[0]


def test_a_hidden_custom_property_leaves_the_filters_but_keeps_its_values(admin_client):
    create_source(admin_client)
    alice = make_contact(email="a@x.fr", source_du_lead="Salon")
    url = "/settings/properties/contacts/source_du_lead/"
    assert "Hide this property" in admin_client.get(url).content.decode()
    admin_client.post(
        url,
        {
            "label": "Source du lead",
            "group": "contactinformation",
            "hidden": "on",
            "option_label": ["Salon", "Site web", "Recommandation"],
            "option_value": ["Salon", "Site web", "Recommandation"],
        },
    )
    assert PropertyDefinition.objects.get(name="source_du_lead").hidden
    dialog = admin_client.get("/search/filters/contacts/").content.decode()
    assert 'value="source_du_lead"' not in dialog
    html = admin_client.get("/settings/properties/?object=contacts&q=source").content.decode()
    assert ">hidden</span>" in html
    alice.refresh_from_db()
    assert alice.properties["source_du_lead"] == "Salon"
    # Default properties cannot be hidden from here.
    assert (
        "Hide this property"
        not in admin_client.get("/settings/properties/contacts/email/").content.decode()
    )
