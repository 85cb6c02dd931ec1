"""Property history (OBJ-3)."""

import pytest

from comptoir.core.history.models import PropertyChange, SourceType
from comptoir.core.history.services import property_history
from comptoir.core.history.source import ChangeSource
from comptoir.core.records.writes import update_record
from comptoir.core.testing.factories import make_contact, make_user

pytestmark = pytest.mark.django_db


def _history(contact, name):
    return [
        (row.value, row.source_type, row.source_id, row.actor_id)
        for row in property_history("0-1", [contact.pk], [name])[contact.pk][name]
    ]


def test_each_change_is_kept_newest_first_with_source_and_actor():
    user = make_user()
    api = ChangeSource(type=SourceType.API, id="token-7", actor_id=user.pk)
    ui = ChangeSource.for_user(user)
    contact = make_contact(source=api, email="h@example.com", jobtitle="Dev")
    update_record("contacts", contact.pk, {"jobtitle": "Lead dev"}, source=ui)
    update_record("contacts", contact.pk, {"jobtitle": ""}, source=ui)
    assert _history(contact, "jobtitle") == [
        (None, "CRM_UI", None, user.pk),
        ("Lead dev", "CRM_UI", None, user.pk),
        ("Dev", "API", "token-7", user.pk),
    ]


def test_unchanged_values_write_nothing():
    contact = make_contact(email="same@example.com", firstname="Ann", lifecyclestage="lead")
    before = PropertyChange.objects.count()
    update_record(
        "contacts",
        contact.pk,
        {"firstname": "Ann", "lifecyclestage": "lead", "email": "SAME@example.com"},
        source=ChangeSource(),
    )
    assert PropertyChange.objects.count() == before
    contact.refresh_from_db()
    assert contact.updated_at == contact.created_at


def test_one_row_per_changed_value_only():
    contact = make_contact(email="one@example.com", firstname="Ann", lastname="Lee")
    update_record(
        "contacts", contact.pk, {"firstname": "Anna", "lastname": "Lee"}, source=ChangeSource()
    )
    rows = PropertyChange.objects.filter(object_id=contact.pk, object_type="0-1")
    assert sorted(rows.values_list("property", flat=True)) == [
        "email",
        "firstname",
        "firstname",
        "hs_email_domain",
        "lastname",
    ]


def test_writes_in_one_request_share_a_request_id():
    source = ChangeSource()
    contact = make_contact(source=source, email="r@example.com", firstname="R")
    ids = set(
        PropertyChange.objects.filter(object_id=contact.pk).values_list("request_id", flat=True)
    )
    assert ids == {source.request_id}
