"""The record page (UI-3): header, "About" with inline edit and history, all properties,
and what a stale page (record deleted or merged meanwhile) answers."""

import pytest

from comptoir.core.history.models import PropertyChange
from comptoir.core.records.merge import merge_records
from comptoir.core.records.reads import get_record
from comptoir.core.records.writes import archive_record
from comptoir.core.testing.factories import (
    UI,
    make_activity,
    make_company,
    make_contact,
    make_deal,
)
from comptoir.core.testing.html import form_fields

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def acme():
    company = make_company(name="Acme", domain="acme.fr")
    contact = make_contact(email="ann@acme.fr", firstname="Ann", lastname="Lee", jobtitle="CEO")
    deal = make_deal(
        dealname="Big deal",
        amount=12000,
        dealstage="qualifiedtobuy",
        associations=[("contacts", contact.pk, None), ("companies", company.pk, None)],
    )
    return company, contact, deal


def test_contact_page_shows_header_about_cards_composer_and_timeline(client_in, acme):
    company, contact, _deal = acme
    html = client_in.get(f"/contacts/{contact.pk}/").content.decode()
    assert '<h1 id="record-name">Ann Lee</h1>' in html
    assert "CEO" in html and f'href="/companies/{company.pk}/">Acme</a>' in html
    for action in (
        "?compose=note",
        "?compose=email",
        "?compose=call",
        "?compose=task",
        "?compose=meeting",
    ):
        assert action in html
    assert 'id="about-title">About</h2>' in html
    assert 'aria-label="History of Email"' in html
    assert "View all properties" in html
    assert 'id="card-companies"' in html and 'id="card-deals"' in html
    assert 'id="card-tasks"' in html
    assert ">Primary</span>" in html  # the contact's first company became its primary one
    assert 'role="tablist"' in html and 'id="timeline"' in html
    assert 'id="stage-bar"' not in html


def test_company_page_and_deal_page(client_in, acme):
    """What is their own (the name header and association cards of every type are
    core/testing/types.py's RecordPageTests)."""
    company, _contact, deal = acme
    html = client_in.get(f"/companies/{company.pk}/").content.decode()
    assert 'href="https://acme.fr"' in html
    html = client_in.get(f"/deals/{deal.pk}/").content.decode()
    assert "€12,000.00" in html
    assert 'id="stage-bar"' in html and 'aria-current="step"' in html
    assert "Qualified To Buy" in html


def test_task_page(client_in, acme):
    _company, contact, _deal = acme
    task = make_activity(
        "tasks",
        hs_task_subject="Call Ann back",
        hs_task_body="<p>About <b>pricing</b><script>x()</script></p>",
        associations=[("contacts", contact.pk, None)],
    )
    html = client_in.get(f"/tasks/{task.pk}/").content.decode()
    assert '<h1 id="record-name">Call Ann back</h1>' in html
    assert "Mark as completed" in html
    assert "<b>pricing</b>" in html and "<script>" not in html
    assert "Due date" in html
    assert 'id="card-contacts"' in html and "Ann Lee" in html
    response = client_in.post(
        f"/tasks/{task.pk}/properties/hs_task_status/",
        {"hs_task_status": "COMPLETED", "where": "about"},
        **HX,
    )
    assert response.status_code == 200
    assert get_record("tasks", task.pk).properties["hs_task_status"] == "COMPLETED"
    assert "Reopen the task" in response.content.decode()  # header swapped out of band


def test_french_wording(client_in, acme, user):
    _company, contact, _deal = acme
    user.language = "fr"
    user.save(update_fields=["language"])
    html = client_in.get(f"/contacts/{contact.pk}/").content.decode()
    assert '<html lang="fr">' in html
    # Strings are marked for translation; the .po file is written in another step.
    assert 'id="about-title">' in html


def test_inline_edit_saves_through_the_service_with_history(client_in, acme, user):
    _company, contact, _deal = acme
    url = f"/contacts/{contact.pk}/properties/jobtitle/"
    form = client_in.get(url + "edit/?where=about", **HX).content.decode()
    assert 'name="jobtitle"' in form and 'value="CEO"' in form and "data-inline-edit" in form
    response = client_in.post(url, {"jobtitle": "Founder", "where": "about"}, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="prop-jobtitle"' in html and "Founder" in html
    assert 'id="record-head" class="record-head-block" hx-swap-oob="true"' in html
    assert "Job title saved." in html
    assert get_record("contacts", contact.pk).properties["jobtitle"] == "Founder"
    change = PropertyChange.objects.filter(object_id=contact.pk, property="jobtitle").latest(
        "changed_at"
    )
    assert (change.value, change.source_type, change.actor_id) == ("Founder", "CRM_UI", user.pk)


def test_inline_edit_refused_value_keeps_the_typed_text_and_saves_nothing(client_in, acme):
    _company, contact, _deal = acme
    before = PropertyChange.objects.count()
    response = client_in.post(
        f"/contacts/{contact.pk}/properties/email/",
        {"email": "not an email", "where": "about"},
        **HX,
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="not an email"' in html
    assert 'aria-invalid="true"' in html and "not a valid email address" in html
    assert get_record("contacts", contact.pk).email == "ann@acme.fr"
    assert PropertyChange.objects.count() == before


def _original(form_html: str) -> str:
    return form_fields(form_html)["_original"]


@pytest.mark.parametrize("where", ["about", "all"])
def test_inline_edit_of_a_value_changed_meanwhile_saves_nothing_and_says_so(client_in, acme, where):
    from comptoir.core.history.source import ChangeSource
    from comptoir.core.records.writes import update_record
    from comptoir.core.testing.factories import make_user

    _company, contact, _deal = acme
    url = f"/contacts/{contact.pk}/properties/jobtitle/"
    form = client_in.get(url + f"edit/?where={where}", **HX).content.decode()
    started_from = _original(form)
    assert started_from == "CEO"
    colleague = make_user("sam@example.com", first_name="Sam", last_name="Stone")
    update_record(
        "contacts", contact.pk, {"jobtitle": "CTO"}, source=ChangeSource.for_user(colleague)
    )
    before = PropertyChange.objects.count()
    data = {"jobtitle": "Founder", "where": where, "_original": started_from}
    response = client_in.post(url, data, **HX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Changed by Sam Stone meanwhile: now CTO." in html
    assert 'value="Founder"' in html and 'aria-invalid="true"' in html
    assert get_record("contacts", contact.pk).properties["jobtitle"] == "CTO"
    assert PropertyChange.objects.count() == before
    # The form now starts from the value the user has seen: saving again replaces it.
    assert _original(html) == "CTO"
    response = client_in.post(url, {**data, "_original": _original(html)}, **HX)
    assert response.status_code == 200
    assert get_record("contacts", contact.pk).properties["jobtitle"] == "Founder"


def test_inline_edit_meanwhile_in_french_and_without_htmx(client_in, acme, user):
    _company, contact, _deal = acme
    url = f"/contacts/{contact.pk}/properties/jobtitle/"
    from comptoir.core.records.writes import update_record

    update_record("contacts", contact.pk, {"jobtitle": ""}, source=UI)
    data = {"jobtitle": "Founder", "where": "about", "_original": "CEO"}
    user.language = "fr"
    user.save(update_fields=["language"])
    response = client_in.post(url, data, **HX)
    assert response.status_code == 409
    french = "Modifié entre-temps via Application Comptoir : maintenant vide."
    assert french in response.content.decode()
    # Without JavaScript the page comes back with the message; nothing is saved either.
    response = client_in.post(url, data, follow=True)
    assert "Intitulé du poste : Modifié entre-temps" in response.content.decode()
    assert get_record("contacts", contact.pk).properties.get("jobtitle") in (None, "")
    # Typing what the value has become is no conflict.
    update_record("contacts", contact.pk, {"jobtitle": "CTO"}, source=UI)
    response = client_in.post(url, {**data, "jobtitle": "CTO"}, **HX)
    assert response.status_code == 200


def test_inline_edit_of_a_duplicate_and_of_a_required_value(client_in, acme):
    _company, contact, deal = acme
    other = make_contact(email="bob@acme.fr")
    response = client_in.post(
        f"/contacts/{other.pk}/properties/email/", {"email": "ann@acme.fr", "where": "about"}, **HX
    )
    assert response.status_code == 422
    assert f"#{contact.pk}" in response.content.decode()
    response = client_in.post(
        f"/deals/{deal.pk}/properties/dealname/", {"dealname": "", "where": "about"}, **HX
    )
    assert response.status_code == 422 and "required" in response.content.decode()
    assert get_record("deals", deal.pk).dealname == "Big deal"


def test_stage_change_updates_the_bar_and_the_timeline(client_in, acme):
    _company, _contact, deal = acme
    response = client_in.post(
        f"/deals/{deal.pk}/properties/dealstage/",
        {"dealstage": "contractsent", "where": "about"},
        **HX,
    )
    html = response.content.decode()
    assert 'id="stage-bar"' in html and "Contract Sent" in html
    assert 'id="prop-hs_deal_stage_probability"' in html  # derived value swapped too
    assert response["HX-Trigger"] == "timeline-changed"
    timeline = client_in.get(f"/deals/{deal.pk}/timeline/", **HX).content.decode()
    assert "Deal stage changed from Qualified To Buy to Contract Sent" in timeline
    assert "by Rita Rep" in timeline


def test_read_only_properties_cannot_be_edited(client_in, acme):
    _company, contact, _deal = acme
    assert (
        client_in.get(f"/contacts/{contact.pk}/properties/createdate/edit/", **HX).status_code
        == 404
    )
    assert (
        client_in.post(
            f"/contacts/{contact.pk}/properties/hs_object_id/", {"hs_object_id": "5"}, **HX
        ).status_code
        == 404
    )
    assert client_in.get(f"/contacts/{contact.pk}/properties/nope/edit/").status_code == 404


def test_cancel_returns_the_displayed_row(client_in, acme):
    _company, contact, _deal = acme
    html = client_in.get(
        f"/contacts/{contact.pk}/properties/jobtitle/?where=about", **HX
    ).content.decode()
    assert 'id="edit-jobtitle"' in html and "CEO" in html and "data-autofocus" in html


def test_history_panel_lists_changes_newest_first(client_in, acme, user):
    _company, contact, _deal = acme
    client_in.post(
        f"/contacts/{contact.pk}/properties/jobtitle/",
        {"jobtitle": "Founder", "where": "about"},
        **HX,
    )
    html = client_in.get(
        f"/contacts/{contact.pk}/properties/jobtitle/history/", **HX
    ).content.decode()
    assert "<dialog" in html and "History of Job title" in html
    assert html.index("Founder") < html.index("CEO")
    assert "Rita Rep" in html and "Comptoir app" in html
    page = client_in.get(f"/contacts/{contact.pk}/properties/jobtitle/history/")
    assert page.status_code == 200 and "<h1" in page.content.decode()


def test_all_properties_page_groups_and_edits(client_in, acme):
    _company, contact, _deal = acme
    html = client_in.get(f"/contacts/{contact.pk}/properties/").content.decode()
    assert "Contact information" in html
    assert 'id="prop-jobtitle"' in html and 'id="prop-hs_object_id"' in html
    response = client_in.post(
        f"/contacts/{contact.pk}/properties/city/", {"city": "Lyon", "where": "all"}, **HX
    )
    assert response.status_code == 200 and "Lyon" in response.content.decode()
    assert "record-head" not in response.content.decode()


def test_without_htmx_the_forms_still_work(client_in, acme):
    _company, contact, _deal = acme
    response = client_in.post(f"/contacts/{contact.pk}/properties/city/", {"city": "Nantes"})
    assert response.status_code == 302
    assert get_record("contacts", contact.pk).properties["city"] == "Nantes"


def test_deleted_record_page_and_stale_edit(client_in, acme):
    _company, contact, _deal = acme
    archive_record("contacts", contact.pk, source=UI)
    response = client_in.get(f"/contacts/{contact.pk}/")
    assert response.status_code == 404
    assert "This record no longer exists" in response.content.decode()
    for method, path, data in (
        ("post", "properties/jobtitle/", {"jobtitle": "X"}),
        ("get", "properties/jobtitle/edit/", {}),
        ("get", "properties/jobtitle/history/", {}),
        ("post", "log/note/", {"hs_note_body": "<p>Hi</p>"}),
        ("post", "associations/deals/add/", {"to_id": "1"}),
        ("get", "timeline/", {}),
    ):
        response = getattr(client_in, method)(f"/contacts/{contact.pk}/{path}", data, **HX)
        assert response.status_code == 410, path
        assert response["HX-Retarget"] == "#record-alert"
        assert "This record no longer exists." in response.content.decode()
    response = client_in.post(f"/contacts/{contact.pk}/properties/jobtitle/", {"jobtitle": "X"})
    assert response.status_code == 410


def test_merged_record_points_to_the_survivor(client_in):
    keep = make_contact(email="keep@gmail.com", firstname="Keep")
    gone = make_contact(email="gone@gmail.com", firstname="Gone")
    merge_records("contacts", keep.pk, gone.pk, source=UI)
    response = client_in.post(
        f"/contacts/{gone.pk}/properties/firstname/", {"firstname": "X"}, **HX
    )
    assert response.status_code == 410
    assert f'href="/contacts/{keep.pk}/"' in response.content.decode()
    response = client_in.get(f"/contacts/{gone.pk}/")
    assert response.status_code == 302 and response["Location"] == f"/contacts/{keep.pk}/"
    html = client_in.get(f"/contacts/{keep.pk}/").content.decode()
    assert f"Record #{gone.pk} was merged into this one" in html


def test_unknown_record_and_type(client_in):
    assert client_in.get("/contacts/999999/").status_code == 404
    # An id never used answers as a record one may not see (404), not as a deleted one.
    assert client_in.get("/contacts/1/properties/email/edit/", **HX).status_code == 404
