"""@mentions in notes: kept by the HTML cleaner, each mentioned teammate told once."""

from comptoir.core.history.source import ChangeSource
from comptoir.core.testing.factories import make_contact, make_user
from comptoir.core.ui.richtext import clean_html
from comptoir.notifications.kinds import MENTION
from comptoir.notifications.mentions import mentioned_ids
from comptoir.notifications.models import Notification


def mention(user, name=None):
    return f'<span class="mention" data-mention="{user.pk}">@{name or user.first_name}</span>'


def test_the_cleaner_keeps_mentions_and_nothing_else():
    html = clean_html(
        '<p><span class="mention evil" data-mention="7" onclick="x()" style="color:red">@Bob'
        "</span> <span data-other=1>hi</span></p>"
    )
    assert html == '<p><span class="mention" data-mention="7">@Bob</span> <span>hi</span></p>'
    assert mentioned_ids(html + html) == [7]


def test_saving_a_note_tells_each_mentioned_teammate_once(client, alice, bob, commit):
    carol = make_user("carol@example.com", first_name="Carol")
    contact = make_contact(
        ChangeSource.for_user(alice), email="jean@acme.fr", firstname="Jean", lastname="Dupont"
    )
    client.force_login(alice)
    body = f"<p>{mention(bob)} {mention(carol)} {mention(bob)} {mention(alice)} &amp; co</p>"
    with commit():
        response = client.post(f"/contacts/{contact.pk}/log/note/", {"hs_note_body": body})
    assert response.status_code == 302
    made = Notification.objects.filter(kind=MENTION).order_by("recipient_id")
    assert [n.recipient for n in made] == [bob, carol]  # once each, never the author
    assert made[0].title == "Alice Arnaud mentioned you in a note on Jean Dupont"
    assert made[0].body == "@Bob @Carol @Bob @Alice & co"
    assert made[0].url == f"/contacts/{contact.pk}/"


def test_a_teammate_who_cannot_see_the_record_is_not_told(client, alice, bob, commit):
    rep = make_user("rep@example.com", first_name="Rémi", role="Sales rep – private")  # noqa: RUF001
    contact = make_contact(
        ChangeSource.for_user(alice), email="jean@acme.fr", hubspot_owner_id=alice.owner.pk
    )
    client.force_login(alice)
    with commit():
        client.post(
            f"/contacts/{contact.pk}/log/note/",
            {"hs_note_body": f"<p>{mention(rep)} {mention(bob)}</p>"},
        )
    assert [n.recipient for n in Notification.objects.filter(kind=MENTION)] == [bob]
