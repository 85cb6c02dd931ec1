"""Small factories for tests: every record goes through the real services."""

import itertools

from comptoir.core.history.models import SourceType
from comptoir.core.history.source import ChangeSource
from comptoir.core.records.writes import create_record
from comptoir.users.services import create_user

_seq = itertools.count(1)

UI = ChangeSource(type=SourceType.CRM_UI)


def make_user(email=None, **kw):
    """A user; role "Sales manager" (sees and changes every record) unless given."""
    n = next(_seq)
    kw.setdefault("role", "Sales manager")
    return create_user(
        email or f"user{n}@example.com",
        "Pass-word-123",
        check_password=False,
        first_name=kw.pop("first_name", f"User{n}"),
        **kw,
    )


def make_contact(source=UI, associations=(), **props):
    return create_record("contacts", props, source=source, associations=associations)


def make_company(source=UI, associations=(), **props):
    if "name" not in props and "domain" not in props:
        props["name"] = f"Company {next(_seq)}"
    return create_record("companies", props, source=source, associations=associations)


def make_deal(source=UI, associations=(), **props):
    props.setdefault("dealname", f"Deal {next(_seq)}")
    props.setdefault("dealstage", "appointmentscheduled")
    return create_record("deals", props, source=source, associations=associations)


def make_activity(object_type, source=UI, associations=(), **props):
    props.setdefault("hs_timestamp", "2026-01-15T10:00:00Z")
    if object_type == "emails":
        props.setdefault("hs_email_direction", "EMAIL")  # required, as on HubSpot
    return create_record(object_type, props, source=source, associations=associations)
