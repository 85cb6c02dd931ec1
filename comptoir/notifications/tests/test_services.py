"""Making notifications: preferences, no self-notification, imports silent, bulk bounded."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.core.history.models import SourceType
from comptoir.core.history.source import ChangeSource
from comptoir.core.records.bulk import bulk_create_records
from comptoir.core.records.writes import update_record
from comptoir.core.testing.budgets import query_budget
from comptoir.core.testing.factories import make_contact, make_deal
from comptoir.notifications import services
from comptoir.notifications.kinds import ASSIGNED, MENTION
from comptoir.notifications.models import Notification, NotificationPreference


def as_user(user, type=SourceType.CRM_UI):
    return ChangeSource.for_user(user, type=type)


def test_assigning_a_record_tells_the_new_owner_once(alice, bob, commit):
    contact = make_contact(email="jean@acme.fr", firstname="Jean", lastname="Dupont")
    with commit():
        update_record(
            "contacts", contact.pk, {"hubspot_owner_id": bob.owner.pk}, source=as_user(alice)
        )
    notification = Notification.objects.get(recipient=bob)
    assert notification.kind == ASSIGNED
    assert (notification.object_type, notification.object_id) == ("contacts", contact.pk)
    assert notification.title == "Alice Arnaud assigned you the contact Jean Dupont"
    assert notification.url == f"/contacts/{contact.pk}/"
    assert notification.in_app and notification.by_email and notification.unread
    # Saving the same owner again changes nothing and tells nobody.
    with commit():
        update_record(
            "contacts", contact.pk, {"hubspot_owner_id": bob.owner.pk}, source=as_user(alice)
        )
    assert Notification.objects.count() == 1


def test_creating_a_deal_for_someone_else_tells_them(alice, bob, commit):
    with commit():
        deal = make_deal(
            dealname="Renouvellement", hubspot_owner_id=bob.owner.pk, source=as_user(alice)
        )
    notification = Notification.objects.get()
    assert notification.title == "Alice Arnaud assigned you the deal Renouvellement"
    assert notification.url == f"/deals/{deal.pk}/"


def test_no_notification_for_your_own_action(alice, commit):
    with commit():
        make_contact(email="me@acme.fr", hubspot_owner_id=alice.owner.pk, source=as_user(alice))
        services.mentioned(
            [alice.pk], actor_id=alice.pk, ot=_contacts(), record_id=1, record_name="Jean"
        )
    assert not Notification.objects.exists()


def test_preferences_choose_the_channels_and_both_off_makes_nothing(alice, bob, commit):
    services.set_preferences(bob, {ASSIGNED: (False, False), MENTION: (True, False)})
    assert services.preferences(bob)[ASSIGNED] == (False, False)
    assert services.preferences(bob)[MENTION] == (True, False)
    with commit():
        contact = make_contact(
            email="x@acme.fr", hubspot_owner_id=bob.owner.pk, source=as_user(alice)
        )
        services.mentioned(
            [bob.pk], actor_id=alice.pk, ot=_contacts(), record_id=contact.pk, record_name="X"
        )
    notification = Notification.objects.get(recipient=bob)
    assert notification.kind == MENTION
    assert notification.in_app and not notification.by_email


def test_rolled_back_change_tells_nobody(alice, bob, commit):
    from django.db import transaction

    contact = make_contact(email="r@acme.fr")
    with commit():
        try:
            with transaction.atomic():
                props = {"hubspot_owner_id": bob.owner.pk}
                update_record("contacts", contact.pk, props, source=as_user(alice))
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert not Notification.objects.exists()


def test_imports_never_notify(alice, bob, commit):
    source = as_user(alice, type=SourceType.IMPORT)
    with commit():
        bulk_create_records(
            "contacts",
            [{"email": f"i{n}@acme.fr", "hubspot_owner_id": bob.owner.pk} for n in range(20)],
            source=source,
        )
        contact = make_contact(email="one@acme.fr", source=source)
        update_record("contacts", contact.pk, {"hubspot_owner_id": bob.owner.pk}, source=source)
    assert not Notification.objects.exists()


def test_api_batch_create_tells_each_owner_in_one_notification(alice, bob, commit):
    rows = [{"email": f"b{n}@acme.fr", "hubspot_owner_id": bob.owner.pk} for n in range(10)]
    rows += [{"email": "a@acme.fr", "hubspot_owner_id": alice.owner.pk}]
    with commit():
        bulk_create_records("contacts", rows, source=as_user(alice, type=SourceType.API))
    notification = Notification.objects.get()
    assert notification.recipient == bob
    assert notification.object_id is None and notification.params["count"] == 10
    assert notification.title == "Alice Arnaud assigned you 10 contacts"
    assert notification.url == "/contacts/?view=mine"


def _notification_queries(captured) -> list[str]:
    tables = ("notifications_", "users_owner", "users_user", "django_tasks")
    return [q["sql"] for q in captured if any(t in q["sql"] for t in tables)]


def test_bulk_assignment_of_500_records_costs_a_constant_number_of_queries(
    alice, bob, commit, client
):
    """The bulk bar's "assign owner": one grouped notification, and the notification side
    costs the same few queries for 500 contacts as for 5."""
    client.force_login(alice)

    def assign(count: int) -> list[str]:
        created = bulk_create_records(
            "contacts",
            [{"email": f"c{count}-{n}@acme.fr"} for n in range(count)],
            source=as_user(alice),
        )
        # Capture outside commit(): the notifications are made when the commit runs.
        with CaptureQueriesContext(connection) as captured, commit():
            response = client.post(
                "/contacts/bulk/",
                {"ids": created.ids, "action": "assign_owner", "owner": bob.owner.pk},
            )
        assert response.status_code == 302
        return _notification_queries(captured.captured_queries)

    assign(1)  # warms the caches of the request itself (the owners' list)
    few = assign(5)
    many = assign(500)
    assert len(many) == len(few) <= 6
    assert sum('INSERT INTO "notifications_notification"' in q for q in many) == 1
    made = Notification.objects.order_by("pk")
    assert [n.params.get("count") for n in made] == [None, 5, 500]
    assert {n.recipient for n in made} == {bob}


def test_delivering_many_intents_is_bounded(alice, bob):
    carol = services_user("carol@example.com")
    intents = [
        services.Intent(
            ASSIGNED,
            object_type="deals",
            object_id=n,
            record=f"Deal {n}",
            owner_id=owner,
            actor_id=alice.pk,
        )
        for n in range(300)
        for owner in (bob.owner.pk, carol.owner.pk, alice.owner.pk)
    ]
    intents += [
        services.Intent(MENTION, "contacts", n, "Jean", user_id=bob.pk, actor_id=alice.pk)
        for n in range(3)
    ]
    with query_budget("notifications.deliver_many"):
        made = services.deliver(intents)
    # Bob and Carol: one grouped notice each; Bob also three mentions; Alice nothing.
    assert sorted((n.recipient_id, n.kind) for n in made) == sorted(
        [(bob.pk, ASSIGNED), (carol.pk, ASSIGNED)] + [(bob.pk, MENTION)] * 3
    )


def test_a_few_records_give_one_notification_each(alice, bob):
    intents = [
        services.Intent(ASSIGNED, "deals", n, f"Deal {n}", owner_id=bob.owner.pk)
        for n in range(services.GROUP_FROM - 1)
    ]
    made = services.deliver(intents)
    assert [n.object_id for n in made] == list(range(services.GROUP_FROM - 1))
    assert made[0].title == "Comptoir assigned you the deal Deal 0"


def test_deactivated_users_are_not_notified(alice, bob):
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    made = services.deliver(
        [services.Intent(MENTION, "contacts", 1, "Jean", user_id=bob.pk, actor_id=alice.pk)]
    )
    assert made == []


def test_marking_read(alice, bob):
    made = services.deliver(
        [
            services.Intent(MENTION, "contacts", n, "Jean", user_id=bob.pk, actor_id=alice.pk)
            for n in range(3)
        ]
    )
    assert services.unread_count(bob) == 3
    assert services.mark_read(alice, made[0].pk) is None  # not hers
    services.mark_read(bob, made[0].pk)
    assert services.unread_count(bob) == 2
    assert services.mark_all_read(bob) == 2
    assert services.unread_count(bob) == 0
    assert NotificationPreference.objects.count() == 0


def services_user(email):
    from comptoir.core.testing.factories import make_user

    return make_user(email)


def _contacts():
    from comptoir.core.objects.registry import get_object_type

    return get_object_type("contacts")
