"""The composer (ACT-1) and the timeline (UI-4) of the record page."""

import datetime as dt
import re

import pytest

from comptoir.activities.models import Activity
from comptoir.core.associations.services import associated_ids
from comptoir.core.records.reads import get_record
from comptoir.core.records.writes import update_record
from comptoir.core.testing.factories import (
    UI,
    make_activity,
    make_company,
    make_contact,
    make_deal,
)
from comptoir.core.testing.html import select
from comptoir.core.ui import timeline as tl

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def people():
    company = make_company(name="Acme", domain="acme.fr")
    contact = make_contact(email="ann@acme.fr", firstname="Ann", lastname="Lee")
    deal = make_deal(dealname="Big deal", associations=[("contacts", contact.pk, None)])
    return company, contact, deal


def event_ids(html: str) -> list[str]:
    return [li.get("id") for li in select(html, "li.event[id]")]


COMPOSER = {
    "note": {
        "hs_note_body": '<p>Met <b>Ann</b> <a href="javascript:alert(1)">x</a>'
        "<img src=x onerror=alert(1)></p>"
    },
    "email": {
        "hs_email_subject": "Proposal",
        "hs_email_text": "Here it is.",
        "hs_email_direction": "EMAIL",
        "hs_timestamp": "2026-03-02T10:15",
    },
    "call": {
        "hs_call_disposition": "f240bbac-87c9-4f6e-bf70-924b57d47db7",
        "hs_call_direction": "OUTBOUND",
        "duration_minutes": "12",
        "hs_timestamp": "2026-03-03T11:00",
        "hs_call_body": "Talked <pricing>",
    },
    "meeting": {
        "hs_meeting_title": "Demo",
        "hs_meeting_outcome": "COMPLETED",
        "hs_meeting_start_time": "2026-03-04T14:00",
        "hs_meeting_end_time": "2026-03-04T15:00",
        "hs_meeting_body": "Went well",
    },
    "task": {
        "hs_task_subject": "Send the contract",
        "hs_timestamp": "2026-03-10T09:00",
        "hs_task_type": "EMAIL",
        "hs_task_priority": "HIGH",
        "hs_task_body": "Soon",
    },
}
TYPES = {
    "note": "notes",
    "email": "emails",
    "call": "calls",
    "meeting": "meetings",
    "task": "tasks",
}


@pytest.mark.parametrize("kind", list(COMPOSER))
def test_composer_logs_each_activity_on_the_contact_and_its_company(client_in, people, user, kind):
    company, contact, deal = people
    response = client_in.post(f"/contacts/{contact.pk}/log/{kind}/", COMPOSER[kind], **HX)
    assert response.status_code == 200, response.content.decode()
    assert "timeline-changed" in response["HX-Trigger"]
    (activity_id,) = associated_ids("contacts", contact.pk, TYPES[kind])
    assert associated_ids("companies", company.pk, TYPES[kind]) == [activity_id]
    activity = get_record(TYPES[kind], activity_id)
    assert activity.hs_timestamp is not None
    if kind != "task":
        assert activity.hubspot_owner_id == user.owner.pk
    contact_timeline = client_in.get(f"/contacts/{contact.pk}/timeline/", **HX).content.decode()
    company_timeline = client_in.get(f"/companies/{company.pk}/timeline/", **HX).content.decode()
    deal_timeline = client_in.get(f"/deals/{deal.pk}/timeline/", **HX).content.decode()
    for html in (contact_timeline, company_timeline, deal_timeline):
        assert f'id="activity-{activity_id}"' in html
    assert 'Regarding: <a href="/contacts/' in company_timeline


def test_composer_values_are_stored_as_typed(client_in, people):
    _company, contact, _deal = people
    for kind, data in COMPOSER.items():
        client_in.post(f"/contacts/{contact.pk}/log/{kind}/", data, **HX)
    note = Activity.objects.get(object_type_name="notes")
    body = note.properties["hs_note_body"]
    assert "<b>Ann</b>" in body and "javascript" not in body and "onerror" not in body
    call = Activity.objects.get(object_type_name="calls")
    assert call.properties["hs_call_duration"] == 720000
    assert call.properties["hs_call_title"] == "Call with Ann Lee"
    assert call.properties["hs_call_body"] == "<p>Talked &lt;pricing&gt;</p>"
    # Local times are in the portal's report time zone (Europe/Paris: UTC+1 in March).
    assert call.hs_timestamp == dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC)
    meeting = Activity.objects.get(object_type_name="meetings")
    assert meeting.properties["hs_meeting_start_time"] == "2026-03-04T13:00:00.000Z"
    assert meeting.hs_timestamp == dt.datetime(2026, 3, 4, 13, 0, tzinfo=dt.UTC)
    task = Activity.objects.get(object_type_name="tasks")
    assert task.properties["hs_task_status"] == "NOT_STARTED"
    assert task.properties["hs_task_priority"] == "HIGH"


def test_composer_errors_are_shown_and_nothing_is_saved(client_in, people):
    _company, contact, _deal = people
    cases = {
        "note": ({"hs_note_body": "<p> </p>"}, "Write the note first."),
        "task": (
            {"hs_task_subject": "", "hs_timestamp": "2026-03-10T09:00"},
            "Give the task a title.",
        ),
        "call": ({**COMPOSER["call"], "duration_minutes": "-3"}, "Enter a number of minutes."),
        "meeting": (
            {**COMPOSER["meeting"], "hs_meeting_end_time": "2026-03-04T13:00"},
            "The end must be after the start.",
        ),
        "email": ({**COMPOSER["email"], "hs_timestamp": "yesterday-ish"}, "not a valid"),
    }
    for kind, (data, message) in cases.items():
        response = client_in.post(f"/contacts/{contact.pk}/log/{kind}/", data, **HX)
        assert response.status_code == 422, kind
        html = response.content.decode()
        assert message in html and "Nothing was saved" in html, kind
        assert 'aria-invalid="true"' in html, kind
    assert not Activity.objects.exists()
    html = client_in.post(
        f"/contacts/{contact.pk}/log/email/", cases["email"][0], **HX
    ).content.decode()
    assert 'value="yesterday-ish"' in html and 'value="Proposal"' in html


def test_company_timeline_includes_its_contacts_and_deal_timeline_its_contacts(client_in, people):
    company, contact, deal = people
    other = make_contact(email="zed@elsewhere.org")
    mine = make_activity(
        "calls", hs_call_title="Contact call", associations=[("contacts", contact.pk, None)]
    )
    foreign = make_activity(
        "notes", hs_note_body="<p>Not here</p>", associations=[("contacts", other.pk, None)]
    )
    company_only = make_activity(
        "notes", hs_note_body="<p>Company note</p>", associations=[("companies", company.pk, None)]
    )
    company_html = client_in.get(f"/companies/{company.pk}/").content.decode()
    assert f'id="activity-{mine.pk}"' in company_html
    assert f'id="activity-{company_only.pk}"' in company_html
    assert f'id="activity-{foreign.pk}"' not in company_html
    deal_html = client_in.get(f"/deals/{deal.pk}/").content.decode()
    assert f'id="activity-{mine.pk}"' in deal_html
    assert f'id="activity-{company_only.pk}"' not in deal_html  # company not on the deal
    update_record("deals", deal.pk, {"dealstage": "closedwon"}, source=UI)
    deal_html = client_in.get(f"/deals/{deal.pk}/").content.decode()
    assert "Deal stage changed" in deal_html


def test_timeline_type_filter_and_url(client_in, people):
    _company, contact, _deal = people
    call = make_activity(
        "calls", hs_call_title="A call", associations=[("contacts", contact.pk, None)]
    )
    note = make_activity(
        "notes", hs_note_body="<p>A note</p>", associations=[("contacts", contact.pk, None)]
    )
    update_record("contacts", contact.pk, {"lifecyclestage": "customer"}, source=UI)
    html = client_in.get(f"/contacts/{contact.pk}/?type=calls").content.decode()
    assert event_ids(html) == [f"activity-{call.pk}"]
    assert 'value="calls" checked' in html
    response = client_in.get(
        f"/contacts/{contact.pk}/timeline/?type=notes&type=events",
        HTTP_HX_TRIGGER="timeline-filter",
        **HX,
    )
    ids = event_ids(response.content.decode())
    assert f"activity-{note.pk}" in ids and f"activity-{call.pk}" not in ids
    assert any(i.startswith("event-") for i in ids)
    assert response["HX-Replace-Url"] == f"/contacts/{contact.pk}/?type=notes&type=events"
    assert event_ids(client_in.get(f"/contacts/{contact.pk}/?type=meetings").content.decode()) == []


def test_timeline_pages_newest_first_without_gaps_or_repeats(client_in, people):
    _company, contact, _deal = people
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    made = []
    for i in range(45):
        kind = ("notes", "calls", "emails")[i % 3]
        # Pairs share a timestamp: paging must break ties by id.
        at = (start + dt.timedelta(days=i // 2)).isoformat()
        made.append(
            make_activity(kind, hs_timestamp=at, associations=[("contacts", contact.pk, None)]).pk
        )
    update_record("contacts", contact.pk, {"lifecyclestage": "lead"}, source=UI)
    html = client_in.get(f"/contacts/{contact.pk}/timeline/", **HX).content.decode()
    seen = event_ids(html)
    assert len(seen) == tl.PAGE_SIZE
    assert seen[0].startswith("event-")  # the lifecycle change happened just now
    while True:
        match = re.search(r'hx-get="([^"]+cursor=[^"]+)"', html)
        if not match:
            break
        html = client_in.get(match.group(1).replace("&amp;", "&"), **HX).content.decode()
        seen += event_ids(html)
    expected = [
        f"activity-{pk}"
        for pk in sorted(
            made, key=lambda pk: (Activity.objects.get(pk=pk).hs_timestamp, pk), reverse=True
        )
    ]
    assert [s for s in seen if s.startswith("activity-")] == expected
    assert len(set(seen)) == len(seen) == 45 + sum(s.startswith("event-") for s in seen)


def test_month_headings_and_upcoming(client_in, people):
    _company, contact, _deal = people
    make_activity(
        "tasks",
        hs_task_subject="Later",
        hs_timestamp="2099-01-01T10:00:00Z",
        associations=[("contacts", contact.pk, None)],
    )
    make_activity(
        "notes",
        hs_note_body="<p>Old</p>",
        hs_timestamp="2024-05-02T10:00:00Z",
        associations=[("contacts", contact.pk, None)],
    )
    html = client_in.get(
        f"/contacts/{contact.pk}/timeline/?type=notes&type=tasks", **HX
    ).content.decode()
    assert "<h3>Upcoming</h3>" in html and "<h3>May 2024</h3>" in html


def test_bad_cursor_is_ignored(client_in, people):
    _company, contact, _deal = people
    response = client_in.get(f"/contacts/{contact.pk}/timeline/?cursor=garbage", **HX)
    assert response.status_code == 200


def test_note_html_from_the_api_is_cleaned_on_display(client_in, people):
    _company, contact, _deal = people
    make_activity(
        "notes",
        hs_note_body='<p onclick="x()">Hi<script>alert(1)</script></p>',
        associations=[("contacts", contact.pk, None)],
    )
    html = client_in.get(f"/contacts/{contact.pk}/").content.decode()
    assert "<p>Hi</p>" in html and "alert(1)" not in html and "onclick" not in html


def test_composer_skips_an_archived_primary_company(client_in, people):
    company, contact, _deal = people
    from comptoir.core.records.writes import archive_record

    archive_record("companies", company.pk, source=UI)
    response = client_in.post(f"/contacts/{contact.pk}/log/note/", COMPOSER["note"], **HX)
    assert response.status_code == 200
    assert len(associated_ids("contacts", contact.pk, "notes")) == 1
