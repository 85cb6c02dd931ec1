"""The outbox's cost on the write path (API-4): nothing for a type nobody subscribed to,
one INSERT per write (whatever its number of events) for a subscribed one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.core.records.bulk import bulk_create_records
from comptoir.core.records.writes import update_record
from comptoir.core.testing.factories import UI, make_contact
from comptoir.webhooks import services
from comptoir.webhooks.models import WebhookEvent

pytestmark = pytest.mark.django_db


def queries(action) -> int:
    update_record("contacts", action.contact, {"firstname": "warm"}, source=UI)  # warm caches
    with CaptureQueriesContext(connection) as seen:
        action()
    return len(seen.captured_queries)


class Update:
    def __init__(self):
        self.contact = make_contact(email="cost@example.com").pk
        self.n = 0

    def __call__(self):
        self.n += 1
        update_record("contacts", self.contact, {"firstname": f"F{self.n}"}, source=UI)


def test_one_insert_per_write_and_none_when_not_subscribed(app, receiver):
    update = Update()
    bare = queries(update)
    services.set_target(app, receiver.url)
    services.create_subscription(app, "deals", "creation")
    assert queries(update) == bare  # contacts: nobody listens
    services.create_subscription(app, "contacts", "propertyChange", "lastname")
    assert queries(update) == bare  # another property: no event, no query
    services.create_subscription(app, "contacts", "propertyChange", "firstname")
    assert queries(update) == bare + 1
    assert WebhookEvent.objects.count() == 2  # the warm-up's change and the measured one


def test_a_bulk_create_stores_its_events_without_a_query_per_row(app, receiver):
    rows = lambda tag: [{"email": f"{tag}-{i}@example.com"} for i in range(200)]  # noqa: E731
    bulk_create_records("contacts", rows("warm"), source=UI)
    with CaptureQueriesContext(connection) as bare:
        bulk_create_records("contacts", rows("bare"), source=UI)
    services.set_target(app, receiver.url)
    services.create_subscription(app, "contacts", "creation")
    bulk_create_records("contacts", rows("warm2"), source=UI)
    with CaptureQueriesContext(connection) as subscribed:
        bulk_create_records("contacts", rows("sub"), source=UI)
    # The events go in through the bulk path's own INSERT (COPY on PostgreSQL), on the raw
    # cursor as the records' rows do: no query the ORM counts, none per row.
    assert len(subscribed.captured_queries) == len(bare.captured_queries)
    assert WebhookEvent.objects.count() == 400
