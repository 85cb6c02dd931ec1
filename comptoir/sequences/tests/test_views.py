"""Sequences pages (TOOL-5): the list, the editor, enrolling from a record, a selection or
a view with the preview and the refusals, pause/resume/unenroll, the sending rules; and
what another user may not do (a private sequence, contacts they cannot see: 404)."""

import re

import pytest
from django.urls import reverse

from comptoir.core.objects.registry import get_object_type
from comptoir.core.savedviews.services import save_view
from comptoir.core.testing.factories import make_contact, make_user
from comptoir.core.timeline.models import EventType, TimelineEvent
from comptoir.emailtemplates.services import create_template
from comptoir.sequences import services
from comptoir.sequences.models import Enrollment, Holiday, Sequence, Step
from comptoir.sequences.tests.conftest import connect
from comptoir.users.services import owner_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, rep):
    client.force_login(rep)
    client.cookies["django_language"] = "en"
    return client


def test_the_list_shows_each_sequence_with_its_figures(signed_in, sequence, contact):
    services.enroll(sequence.owner, sequence, [contact.pk])
    page = signed_in.get(reverse("sequences:list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Relance" in html and "Active enrolments" in html
    row = html[html.index("Relance") :]
    assert '<td data-label="Steps">3</td>' in row
    assert '<td data-label="Active enrolments">1</td>' in row
    assert "Sequences" in signed_in.get(reverse("salestools:index")).content.decode()


def test_the_editor_creates_a_sequence_and_its_steps(signed_in, rep, template):
    response = signed_in.post(reverse("sequences:create"), {"name": "  Nouveaux clients "})
    sequence = Sequence.objects.get(owner=rep)
    assert response.url == reverse("sequences:detail", args=[sequence.pk])
    assert sequence.name == "Nouveaux clients" and not sequence.shared
    add = reverse("sequences:step_add", args=[sequence.pk])
    signed_in.post(add, {"kind": "email", "delay_days": "0", "template": template.pk})
    signed_in.post(add, {"kind": "call", "delay_days": "2", "title": "Appeler"})
    bad = signed_in.post(add, {"kind": "email", "delay_days": "-3", "template": "999"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Choose an email template." in html and "between 0 and 365" in html
    steps = list(sequence.steps.values_list("kind", "delay_days"))
    assert steps == [("email", 0), ("call", 2)]
    call = sequence.steps.get(kind="call")
    signed_in.post(reverse("sequences:step_change", args=[sequence.pk, call.pk]), {"action": "up"})
    assert list(sequence.steps.values_list("kind", flat=True)) == ["call", "email"]
    signed_in.post(
        reverse("sequences:step_change", args=[sequence.pk, call.pk]), {"action": "delete"}
    )
    assert list(sequence.steps.values_list("kind", "position")) == [("email", 0)]
    saved = signed_in.post(
        reverse("sequences:detail", args=[sequence.pk]),
        {"name": "Clients", "shared": "on", "window_start": "9", "window_end": "8"},
    )
    assert (
        saved.status_code == 400
        and "The window must end after it starts." in saved.content.decode()
    )
    signed_in.post(
        reverse("sequences:detail", args=[sequence.pk]),
        {"name": "Clients", "shared": "on", "window_start": "9", "window_end": "17"},
    )
    sequence.refresh_from_db()
    assert (sequence.name, sequence.shared, sequence.window_start) == ("Clients", True, 9)
    page = signed_in.get(reverse("sequences:detail", args=[sequence.pk]))
    assert "Premier contact" in page.content.decode()


def test_a_step_is_edited_in_place(signed_in, rep, sequence, template):
    steps = list(sequence.steps.order_by("position"))
    call = next(s for s in steps if s.kind == "call")
    page = signed_in.get(reverse("sequences:detail", args=[sequence.pk]) + f"?edit={call.pk}")
    html = page.content.decode()
    edit = reverse("sequences:step_edit", args=[sequence.pk, call.pk])
    assert f'action="{edit}"' in html and f"Edit step {call.position + 1}" in html
    assert f'value="{call.delay_days}"' in html and "Save the step" in html
    # Bad input: named per field, nothing saved, the form still the step's.
    bad = signed_in.post(edit, {"kind": "email", "delay_days": "abc", "template": ""})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert "Choose an email template." in html and "between 0 and 365" in html
    assert f'action="{edit}"' in html
    before = Step.objects.get(pk=call.pk)
    assert (before.kind, before.delay_days) == (call.kind, call.delay_days)
    # Saved: same step (its id, its place, its executions), new content.
    done = signed_in.post(edit, {"kind": "email", "delay_days": "4", "template": template.pk})
    assert done.status_code == 302
    after = Step.objects.get(pk=call.pk)
    assert (after.kind, after.delay_days, after.template_id, after.position) == (
        "email",
        4,
        template.pk,
        call.position,
    )
    assert sequence.steps.count() == len(steps)
    # Another sequence's step through this sequence's address: 404, unchanged.
    other = services.save_sequence(rep, {"name": "Autre"})
    foreign = services.save_step(rep, other, {"kind": "task", "delay_days": "1", "title": "X"})
    wrong = reverse("sequences:step_edit", args=[sequence.pk, foreign.pk])
    assert signed_in.post(wrong, {"kind": "call", "delay_days": "0"}).status_code == 404
    assert Step.objects.get(pk=foreign.pk).kind == "task"
    # An edit= naming another sequence's step shows the page with the add form.
    page = signed_in.get(reverse("sequences:detail", args=[sequence.pk]) + f"?edit={foreign.pk}")
    assert page.status_code == 200 and "Add the step" in page.content.decode()


def test_another_users_private_sequence_answers_404(client, sequence, template):
    other = make_user(email="other@example.com")
    client.force_login(other)
    for url in (
        reverse("sequences:detail", args=[sequence.pk]),
        reverse("sequences:enroll") + f"?sequence={sequence.pk}",
    ):
        assert client.get(url).status_code == 404
    step = sequence.steps.first()
    posts = [
        (reverse("sequences:detail", args=[sequence.pk]), {"name": "Volée"}),
        (reverse("sequences:delete", args=[sequence.pk]), {}),
        (reverse("sequences:step_add", args=[sequence.pk]), {"kind": "call"}),
        (reverse("sequences:step_change", args=[sequence.pk, step.pk]), {"action": "delete"}),
        (reverse("sequences:step_edit", args=[sequence.pk, step.pk]), {"kind": "task"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404
    assert Sequence.objects.get().name == "Relance" and Step.objects.count() == 3
    # Shared, it is seen and used, still not changed by anyone but its owner.
    Sequence.objects.filter(pk=sequence.pk).update(shared=True)
    assert client.get(reverse("sequences:detail", args=[sequence.pk])).status_code == 200
    assert client.post(posts[0][0], posts[0][1]).status_code == 404


def test_enrolling_from_a_record_previews_the_first_email(signed_in, sequence, contact):
    record = signed_in.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert reverse("sequences:enroll") + f"?ids={contact.pk}" in record
    url = reverse("sequences:enroll") + f"?ids={contact.pk}&sequence={sequence.pk}"
    page = signed_in.get(url).content.decode()
    assert "Bonjour Anne" in page and "voici notre offre" in page
    response = signed_in.post(
        reverse("sequences:enroll"),
        {"ids": [contact.pk], "sequence": sequence.pk, "confirm": "1", "next": "/evil.example/"},
    )
    assert response.status_code == 302
    enrollment = Enrollment.objects.get()
    assert (enrollment.contact_id, enrollment.state) == (contact.pk, "active")
    timeline = signed_in.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "Enrolled in the sequence “Relance”" in timeline
    assert TimelineEvent.objects.filter(event_type=EventType.SEQUENCE).count() == 1


def test_a_selection_lists_who_cannot_be_enrolled_and_why(signed_in, sequence, contact):
    no_email = make_contact(firstname="Sans", lastname="Adresse")
    services.enroll(sequence.owner, sequence, [contact.pk])
    page = signed_in.post(reverse("sequences:enroll"), {"ids": [contact.pk, no_email.pk, 424242]})
    assert page.status_code == 200
    page = signed_in.get(
        reverse("sequences:enroll")
        + f"?ids={contact.pk}&ids={no_email.pk}&ids=424242&sequence={sequence.pk}"
    ).content.decode()
    assert 'Anne Martin</strong> <span class="muted">Already in a sequence' in page
    assert 'Sans Adresse</strong> <span class="muted">No email address' in page
    assert "1 contact not found" in page
    assert "0 contacts will be enrolled." in page


def test_enrolling_a_whole_view(signed_in, sequence):
    chosen = [make_contact(email=f"v{i}@client.fr", lastname="Vue").pk for i in range(3)]
    make_contact(email="other@client.fr", lastname="Autre")
    page = signed_in.post(reverse("sequences:enroll") + "?q=Vue", {"scope": "view"})
    html = page.content.decode()
    assert "3 contacts chosen" in html
    for pk in chosen:
        assert f'name="ids" value="{pk}"' in html
    response = signed_in.post(
        reverse("sequences:enroll"), {"ids": chosen, "sequence": sequence.pk, "confirm": "1"}
    )
    assert response.status_code == 302
    assert sorted(Enrollment.objects.values_list("contact_id", flat=True)) == sorted(chosen)


def enroll_view_page(client, query, **extra):
    """The contacts list's Actions menu: “Enroll the contacts of this view in a sequence”."""
    page = client.post(reverse("sequences:enroll") + query, {"scope": "view", **extra})
    assert page.status_code == 200
    return page.content.decode()


def chosen(html) -> list[int]:
    return [int(pk) for pk in re.findall(r'name="ids" value="(\d+)"', html)]


def test_a_saved_view_s_filters_decide_who_is_enrolled(signed_in, rep, sequence):
    lyon = [
        make_contact(email=f"l{i}@client.fr", lastname=f"Lyon{i}", city="Lyon") for i in range(3)
    ]
    make_contact(email="paris@client.fr", lastname="Paris", city="Paris")
    make_contact(email="nowhere@client.fr", lastname="Nulle part")
    filters = [{"filters": [{"propertyName": "city", "operator": "EQ", "value": "Lyon"}]}]
    view = save_view(rep, get_object_type("contacts"), "Lyonnais", filter_groups=filters)
    # The list's Actions menu posts to the enroll page with the list's own query string.
    listing = signed_in.get(reverse("contacts:list") + f"?view={view.pk}").content.decode()
    assert f'action="{reverse("sequences:enroll")}?view={view.pk}' in listing
    html = enroll_view_page(signed_in, f"?view={view.pk}")
    assert "3 contacts chosen" in html and 'id="enroll-cap"' not in html
    assert sorted(chosen(html)) == sorted(c.pk for c in lyon)
    signed_in.post(
        reverse("sequences:enroll"),
        {"ids": chosen(html), "sequence": sequence.pk, "confirm": "1"},
    )
    assert sorted(Enrollment.objects.values_list("contact_id", flat=True)) == sorted(
        c.pk for c in lyon
    )
    # Another user's private view (or a deleted one) chooses nobody, not the whole list.
    other = make_user(email="other-views@example.com")
    private = save_view(other, get_object_type("contacts"), "À moi", filter_groups=filters)
    html = enroll_view_page(signed_in, f"?view={private.pk}")
    assert chosen(html) == [] and "0 contacts chosen" in html
    assert "That view no longer exists" in html
    # So do filters that cannot be read (they would otherwise be dropped: everyone).
    html = enroll_view_page(signed_in, "?filters=%7Bnot-json")
    assert chosen(html) == [] and "The filters could not be applied" in html


def test_a_view_larger_than_the_cap_says_who_is_left_out(signed_in, rep, sequence, monkeypatch):
    monkeypatch.setattr(services, "MAX_ENROLL", 3)
    everyone = [
        make_contact(email=f"t{i}@client.fr", firstname=f"T{i}", lastname="Tous", city="Nantes")
        for i in range(5)
    ]
    filters = [{"filters": [{"propertyName": "city", "operator": "EQ", "value": "Nantes"}]}]
    view = save_view(rep, get_object_type("contacts"), "Nantais", filter_groups=filters)
    html = enroll_view_page(signed_in, f"?view={view.pk}&sort=firstname")
    taken = chosen(html)
    assert taken == [c.pk for c in everyone[:3]]  # the first ones, in the view's order
    assert "5 contacts chosen" in html
    notice = (
        "At most 3 contacts are enrolled at once: the first 3 of the 5 chosen are taken, and "
        "the other 2 will not be enrolled. To enroll them, enroll a narrower view afterwards."
    )
    assert notice in html
    # Still said once a sequence is chosen, with the preview, next to how many will be.
    preview = signed_in.get(
        reverse("sequences:enroll"),
        {"ids": taken, "total": "5", "sequence": sequence.pk},
    ).content.decode()
    assert notice in preview and "3 contacts will be enrolled." in preview
    signed_in.post(
        reverse("sequences:enroll"),
        {"ids": taken, "total": "5", "sequence": sequence.pk, "confirm": "1"},
    )
    assert sorted(Enrollment.objects.values_list("contact_id", flat=True)) == taken
    # In French, in plain words too; one left out is said in the singular.
    make_contact(email="t9@client.fr", firstname="T9", city="Nantes")
    Enrollment.objects.all().delete()
    signed_in.cookies["django_language"] = "fr"
    monkeypatch.setattr(services, "MAX_ENROLL", 5)
    html = enroll_view_page(signed_in, f"?view={view.pk}")
    assert "6 contacts choisis" in html
    assert (
        "Au plus 5 contacts sont inscrits à la fois\u00a0: les 5 premiers des 6 choisis sont "
        "pris, et 1 autre contact ne sera pas inscrit. Pour l'inscrire, inscrivez ensuite "
        "une vue plus restreinte."
    ) in html
    # A selection within the cap says nothing of the kind.
    html = signed_in.post(reverse("sequences:enroll"), {"ids": taken}).content.decode()
    assert 'id="enroll-cap"' not in html and "3 contacts choisis" in html


def test_contacts_one_cannot_see_are_never_enrolled(client, mail_settings):
    rep = make_user(email="private@example.com", role="Sales rep \u2013 private")
    connect(rep, mail_settings)
    client.force_login(rep)
    mine = make_contact(email="mine@client.fr", hubspot_owner_id=str(owner_for(rep).pk))
    hidden = make_contact(email="hidden@client.fr", firstname="Caché")
    sequence = services.save_sequence(rep, {"name": "Privée"})
    mine_template = create_template(rep, name="À moi", subject="Bonjour", body="<p>Bonjour</p>")
    services.save_step(rep, sequence, {"kind": "email", "template": mine_template.pk})
    page = client.get(
        reverse("sequences:enroll") + f"?ids={mine.pk}&ids={hidden.pk}&sequence={sequence.pk}"
    ).content.decode()
    assert "Caché" not in page and "1 contact not found" in page
    client.post(
        reverse("sequences:enroll"),
        {"ids": [mine.pk, hidden.pk], "sequence": sequence.pk, "confirm": "1"},
    )
    assert list(Enrollment.objects.values_list("contact_id", flat=True)) == [mine.pk]
    # Someone else's enrolment of a hidden contact: 404, as a missing one.
    other = make_user(email="boss2@example.com")
    connect(other, mail_settings)
    theirs = services.save_sequence(other, {"name": "Leur", "shared": True})
    services.save_step(other, theirs, {"kind": "call"})
    (enrollment,), _check = services.enroll(other, theirs, [hidden.pk])
    url = reverse("sequences:enrollment", args=[enrollment.pk])
    assert client.post(url, {"action": "unenroll"}).status_code == 404
    enrollment.refresh_from_db()
    assert enrollment.state == "active"


def test_pause_resume_and_unenroll_by_hand(signed_in, sequence, contact):
    (enrollment,), _check = services.enroll(sequence.owner, sequence, [contact.pk])
    url = reverse("sequences:enrollment", args=[enrollment.pk])
    for action, state in (("pause", "paused"), ("resume", "active"), ("unenroll", "unenrolled")):
        assert signed_in.post(url, {"action": action}).status_code == 302
        enrollment.refresh_from_db()
        assert enrollment.state == state
    assert enrollment.reason == "by_hand"
    page = signed_in.get(reverse("sequences:detail", args=[sequence.pk])).content.decode()
    assert "Unenrolled" in page and "By hand" in page
    # Each change is on the contact's timeline, in order, with its reason and its author.
    events = TimelineEvent.objects.filter(
        object_id=contact.pk, event_type=EventType.SEQUENCE
    ).order_by("occurred_at", "pk")
    assert list(events.values_list("data__action", "data__reason")) == [
        ("enrolled", ""),
        ("paused", "by_hand"),
        ("resumed", ""),
        ("unenrolled", "by_hand"),
    ]
    assert set(events.values_list("data__sequence", flat=True)) == {"Relance"}
    assert set(events.values_list("actor_id", flat=True)) == {sequence.owner_id}
    record = signed_in.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    for text in (
        "Enrolled in the sequence “Relance”",
        "Sequence “Relance” paused (by hand)",
        "Sequence “Relance” resumed",
        "Unenrolled from the sequence “Relance” (by hand)",
    ):
        assert text in record
    # A second unenroll does nothing, and adds nothing to the timeline.
    assert signed_in.post(url, {"action": "unenroll"}).status_code == 302
    assert events.count() == 4


def test_the_sending_rules_page(signed_in, rep, client):
    assert signed_in.get(reverse("sequences:settings")).status_code == 403
    rep.is_superuser = True
    rep.save()
    assert signed_in.get(reverse("sequences:settings")).status_code == 200
    bad = signed_in.post(
        reverse("sequences:settings"),
        {"daily_limit": "abc", "working_days": ["1"], "holidays": "2026-13-01"},
    )
    assert bad.status_code == 400
    assert "Enter a number between 1 and 10,000." in bad.content.decode()
    assert "Line 1: write a date as YYYY-MM-DD." in bad.content.decode()
    signed_in.post(
        reverse("sequences:settings"),
        {"daily_limit": "30", "working_days": ["1", "2", "3"], "holidays": "2026-12-25 Noël"},
    )
    assert services.sending_settings().daily_limit == 30
    assert Holiday.objects.get().name == "Noël"


def test_the_pages_and_a_step_cost_a_fixed_number_of_queries(
    signed_in, rep, template, query_budget
):
    from comptoir.sequences import engine
    from comptoir.sequences.tests.conftest import TUESDAY_10

    for n in range(3):
        sequence = services.save_sequence(rep, {"name": f"S{n}"})
        services.save_step(rep, sequence, {"kind": "email", "template": template.pk})
    contacts = [make_contact(email=f"q{n}@client.fr", firstname=f"Q{n}") for n in range(3)]
    services.enroll(rep, sequence, [c.pk for c in contacts], now=TUESDAY_10)
    with query_budget("ui.sequences_list"):
        assert signed_in.get(reverse("sequences:list")).status_code == 200
    with query_budget("ui.sequence_detail"):
        assert signed_in.get(reverse("sequences:detail", args=[sequence.pk])).status_code == 200
    run = engine.Run(now=TUESDAY_10, off=engine.calendar(), limit=engine.daily_limit())
    first, *others = Enrollment.objects.order_by("pk").values_list("pk", flat=True)
    assert engine.run_one(first, run) == "email"  # warms the per-run counts
    with query_budget("sequences.email_step"):
        assert engine.run_one(others[0], run) == "email"
