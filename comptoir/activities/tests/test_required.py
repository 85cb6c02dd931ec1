"""What each activity needs to exist, as HubSpot's engagement APIs require it."""

import pytest

from comptoir.activities.models import Activity
from comptoir.core.properties.errors import ValidationFailed
from comptoir.core.records.writes import create_record
from comptoir.core.testing.factories import UI


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("object_type", "props", "missing"),
    [
        (
            "emails",
            {"hs_timestamp": "2026-01-15T10:00:00Z", "hs_email_subject": "Devis"},
            "hs_email_direction",
        ),
        ("emails", {"hs_email_direction": "EMAIL", "hs_email_subject": "Devis"}, "hs_timestamp"),
        ("calls", {"hs_call_title": "Relance"}, "hs_timestamp"),
    ],
)
def test_an_activity_missing_a_required_property_is_refused_and_not_saved(
    object_type, props, missing
):
    with pytest.raises(ValidationFailed) as refused:
        create_record(object_type, props, source=UI)
    assert [(e.name, e.code) for e in refused.value.errors] == [(missing, "REQUIRED")]
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_an_email_with_its_direction_and_time_is_saved():
    props = {"hs_timestamp": "2026-01-15T10:00:00Z", "hs_email_direction": "INCOMING_EMAIL"}
    email = create_record("emails", props, source=UI)
    assert email.properties["hs_email_direction"] == "INCOMING_EMAIL"
