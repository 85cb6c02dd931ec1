"""FUZZ TEST: schemathesis sends generated requests to every operation of /api/openapi.json,
in-process (Django's WSGI handler, inside the test's transaction), with a Super admin token.

Per operation: the schema's examples, schemathesis's coverage cases (boundaries and wrong
types of every field) and COMPTOIR_FUZZ_EXAMPLES random ones (default 10: the whole test
stays near a minute on two cores; `COMPTOIR_FUZZ_EXAMPLES=200 pytest -k fuzz` digs deeper).
Every answer must be no 500, a documented status, a documented content type and a body
matching its documented schema (HubSpot's error body for 4xx).

A few records of every type exist during each operation's test; generated record ids below
1000 are pointed at them so reads, writes and associations also succeed, not only fail."""

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from comptoir.core.objects.registry import OBJECT_TYPES, UnknownObjectType, get_object_type
from comptoir.core.records.writes import create_record
from comptoir.core.testing.factories import UI, make_user
from comptoir.core.testing.types import sample_properties
from comptoir.hubspot_api.api import register
from comptoir.users.services import create_token

pytestmark = pytest.mark.fuzz  # select with -m fuzz, leave out with -m "not fuzz"

EXAMPLES = int(os.environ.get("COMPTOIR_FUZZ_EXAMPLES", "10"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
APP = WSGIHandler()
schema = schemathesis.openapi.from_dict(register().get_openapi_schema())

RECORDS = {
    "contacts": {"email": "fuzz@example.com", "firstname": "Fuzz"},
    "companies": {"name": "Fuzz", "domain": "fuzz.example"},
    "deals": {"dealname": "Fuzz", "dealstage": "appointmentscheduled", "amount": "100"},
    "tasks": {"hs_timestamp": "2026-01-02T10:00:00Z", "hs_task_subject": "Fuzz"},
    "notes": {"hs_timestamp": "2026-01-02T10:00:00Z", "hs_note_body": "Fuzz"},
    "calls": {"hs_timestamp": "2026-01-02T10:00:00Z", "hs_call_title": "Fuzz"},
    "emails": {
        "hs_timestamp": "2026-01-02T10:00:00Z",
        "hs_email_direction": "EMAIL",
        "hs_email_subject": "Fuzz",
    },
    "meetings": {"hs_timestamp": "2026-01-02T10:00:00Z", "hs_meeting_title": "Fuzz"},
}


@pytest.fixture
def fuzz_world(db, settings):
    """A token, a record of every type, no rate limit, and requests that keep the test's
    database connection (Django's test client disconnects the same two signals)."""
    settings.COMPTOIR_API_RATE_LIMIT = 0
    settings.COMPTOIR_API_DAILY_LIMIT = 0
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Each type's record: the one above, or one made from the type's facts (any new type).
    props_of = {ot.name: RECORDS.get(ot.name) or sample_properties(ot) for ot in OBJECT_TYPES}
    records = {name: [create_record(name, props, source=UI).pk] for name, props in props_of.items()}
    token = create_token(make_user(role="Super admin"), "fuzz")[1]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield token, records
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _point_ids_at_records(case, records) -> None:
    """Small generated record ids become ids of existing records of the path's types."""
    params = case.path_parameters or {}
    for id_key, type_key in (("object_id", "object_type"), ("to_id", "to_type")):
        value = params.get(id_key)
        if not (isinstance(value, str) and value.isdigit() and int(value) < 1000):
            continue
        try:
            ids = records[get_object_type(params.get(type_key, "")).name]
        except UnknownObjectType:
            continue
        params[id_key] = str(ids[int(value) % len(ids)])


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_fuzz_every_operation(case, fuzz_world):
    token, records = fuzz_world
    _point_ids_at_records(case, records)
    case.call_and_validate(app=APP, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
