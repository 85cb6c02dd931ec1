"""Settings > Indexes (issue 16): every property index with its state, who asked and its
size; administrators ask for one now or drop an on-demand one; nobody else sees it."""

import pytest
from django.template.defaultfilters import filesizeformat
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from comptoir.core.objects.registry import get_object_type
from comptoir.core.properties import index_listing, registry
from comptoir.core.properties.index_requests import request_index
from comptoir.core.properties.models import IndexReason, IndexStatus, PropertyIndexRequest
from comptoir.core.properties.services import create_property
from comptoir.core.savedviews.services import save_view
from comptoir.core.tasks import build_property_index

pytestmark = pytest.mark.django_db

URL = "/settings/indexes/"


def custom(name):
    create_property(
        "contacts", {"name": name, "label": name.title(), "type": "string", "fieldType": "text"}
    )


def row_html(html: str, key: str) -> str:
    start = html.index(f'data-index="{key}"')
    return html[start : html.index("</tr>", start)]


def test_the_page_lists_built_in_indexes_and_says_none_is_on_demand(admin_client):
    html = admin_client.get(URL).content.decode()
    assert "No on-demand index yet" in html
    city = row_html(html, "contacts.city")
    assert "Built in" in city and "Ready" in city and "json_contact_city" in city
    assert "at most 25 each:" in html and "Contacts&nbsp;0" in html
    assert "Drop" not in city  # built-in indexes belong to the migrations


def test_the_built_in_table_is_folded_under_its_count_and_total_size(admin_client):
    """A <details> (folded on a phone by app.js) whose summary says how many built-in
    indexes there are and their size together; the on-demand section stays outside it."""
    custom("motto")
    request_index("contacts", "motto", IndexReason.ADMIN)
    rows = index_listing.index_rows()
    builtin = [r for r in rows if r.builtin]
    html = admin_client.get(URL).content.decode()
    start = html.index('<details class="index-builtin" open data-collapse-mobile>')
    folded = html[start : html.index("</details>", start)]
    summary = folded[: folded.index("</summary>")]
    assert len(builtin) > 40
    if any(r.size is None for r in builtin):  # SQLite without dbstat: the count alone
        assert f"{len(builtin)} indexes</span>" in summary
    else:
        total = filesizeformat(sum(r.size for r in builtin))
        assert f"{len(builtin)} indexes, {total} in all" in summary, summary
    assert 'data-index="contacts.city"' in folded
    assert 'data-index="contacts.motto"' in html[:start]  # on demand: outside the fold


def test_the_page_lists_the_contains_indexes_with_their_size(admin_client):
    """Standard "contains" indexes are built in; one built for a custom text property is on
    demand; both say their kind and (where the database tells) their size."""
    from comptoir.core.properties.substring_indexes import ensure_substring_index

    custom("motto")
    ensure_substring_index("contacts", "motto")
    html = admin_client.get(URL).content.decode()
    lastname = row_html(html, "contacts.lastname.contains")
    assert "Contains" in lastname and "Built in" in lastname and "Ready" in lastname
    motto = row_html(html, "contacts.motto.contains")
    assert "Contains" in motto and "Built in" not in motto
    size = motto.split('data-label="Size">')[1].split("</td>")[0]
    assert size.strip() != "—" and ("bytes" in size or "KB" in size), size


def test_on_demand_indexes_show_their_state_and_who_asked(admin_client, admin, rep):
    for name in ("tier", "rank", "zone"):
        custom(name)
    view = save_view(rep, get_object_type("contacts"), "Gold tiers", filter_groups=[], sort="tier")
    request_index("contacts", "rank", IndexReason.QUERIES)
    request_index("contacts", "zone", IndexReason.ADMIN, actor_id=admin.pk)
    build_property_index.call("contacts", "zone")
    html = admin_client.get(URL).content.decode()
    assert "No on-demand index yet" not in html
    tier = row_html(html, "contacts.tier")
    assert "Pending" in tier and f"Saved view “{view.name}”" in tier and "Rita Rep" in tier
    assert "Build now" not in tier  # on its way already
    assert "Repeated queries" in row_html(html, "contacts.rank")
    zone = row_html(html, "contacts.zone")
    assert "Ready" in zone and "Ada Admin" in zone and "Drop" in zone
    assert "Contacts&nbsp;1" in html


@override_settings(COMPTOIR_MAX_PROPERTY_INDEXES=0)
def test_a_refused_request_shows_the_cap(admin_client):
    custom("tier")
    response = admin_client.post(
        URL + "build/", {"object_type": "contacts", "property": "tier"}, follow=True
    )
    html = response.content.decode()
    assert "was refused" in html
    tier = row_html(html, "contacts.tier")
    assert "Refused" in tier and "COMPTOIR_MAX_PROPERTY_INDEXES" in tier and "Build now" in tier


def test_build_now_queues_the_job_once_and_records_who(
    admin_client, admin, django_capture_on_commit_callbacks
):
    custom("tier")
    data = {"object_type": "contacts", "property": "tier"}
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert admin_client.post(URL + "build/", data).status_code == 302
    row = PropertyIndexRequest.objects.get(property_name="tier")
    assert (row.status, row.reason, row.actor_id) == (
        IndexStatus.PENDING,
        IndexReason.ADMIN,
        admin.pk,
    )
    jobs = DBTaskResult.objects.filter(task_path="comptoir.core.tasks.build_property_index")
    assert [j.args_kwargs["args"] for j in jobs] == [["contacts", "tier"]]


def test_drop_asks_first_then_drops_and_records_who(admin_client, admin):
    custom("tier")
    build_property_index.call("contacts", "tier")
    query = "?object_type=contacts&property=tier"
    confirm = admin_client.get(URL + "drop/" + query).content.decode()
    assert "Drop the index of “Tier”?" in confirm
    assert registry.definition("contacts", "tier").index_name == "prop_contacts_tier"
    admin_client.post(URL + "drop/", {"object_type": "contacts", "property": "tier"})
    registry.clear_local()
    assert registry.definition("contacts", "tier").index_name == ""
    row = PropertyIndexRequest.objects.get(property_name="tier")
    assert (row.status, row.actor_id) == (IndexStatus.DROPPED, admin.pk)


def test_built_in_indexes_cannot_be_dropped(admin_client):
    data = {"object_type": "contacts", "property": "city"}
    assert admin_client.post(URL + "drop/", data).status_code == 404
    assert registry.definition("contacts", "city").index_name == "json_contact_city"


@pytest.mark.parametrize(
    "data",
    [
        {"object_type": "contacts", "property": "x'); DROP TABLE contacts_contact; --"},
        {"object_type": "contacts", "property": "../../etc"},
        {"object_type": "contacts", "property": "a" * 5000},
        {"object_type": "<script>", "property": "city"},
        {"object_type": "notes", "property": "hs_note_body"},  # no pages: no list to serve
        {},
    ],
)
def test_hostile_names_find_nothing(admin_client, data):
    assert admin_client.post(URL + "build/", data).status_code == 404
    assert admin_client.post(URL + "drop/", data).status_code == 404
    assert not PropertyIndexRequest.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_users_without_the_settings_right_get_404_like_other_settings_pages(rep_client):
    custom("tier")
    assert rep_client.get("/settings/configuration/").status_code == 404  # the rule
    assert rep_client.get(URL).status_code == 404
    data = {"object_type": "contacts", "property": "tier"}
    assert rep_client.post(URL + "build/", data).status_code == 404
    assert rep_client.get(URL + "drop/?object_type=contacts&property=tier").status_code == 404
    assert not PropertyIndexRequest.objects.exists()
    assert "/settings/indexes/" not in rep_client.get("/settings/profile/").content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_build_form_only_accepts_post(admin_client):
    assert admin_client.get(URL + "build/?object_type=contacts&property=city").status_code == 405
