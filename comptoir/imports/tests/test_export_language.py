"""Exports in the language and time zone of the person asking (issue 14, point 9): headers,
option labels and dates in French for a French user, the file named in the portal's time
zone, and machine-readable ISO dates as an option."""

import csv
import datetime as dt
import zoneinfo

import pytest
from django.utils import translation

from comptoir.core.files.stored import local_path
from comptoir.core.portal.services import portal
from comptoir.core.testing.factories import make_contact, make_user
from comptoir.imports import exports
from comptoir.imports.models import Export

pytestmark = pytest.mark.django_db

COLUMNS = ""  # the view's columns: the defaults and the create date (with_create_date)


def with_create_date(user):
    """The user added "Create date" to the contacts list (Edit columns): exports follow."""
    from comptoir.core.objects.registry import get_object_type
    from comptoir.core.savedviews.services import set_columns

    ot = get_object_type("contacts")
    set_columns(user, ot, "all", None, [*ot.pages.list_columns, "createdate"])
    return user


@pytest.fixture
def alice():
    contact = make_contact(email="alice@exemple.fr", firstname="Alice", lifecyclestage="customer")
    # 23:30 UTC on 31 December is already 1 January in Paris.
    type(contact).objects.filter(pk=contact.pk).update(
        created_at=dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)
    )
    return contact


def rows_of(export) -> tuple[list[str], dict]:
    """The header, and the first row by header."""
    export.refresh_from_db()
    with open(local_path(export.file_path), encoding="utf-8-sig") as handle:
        header, row = list(csv.reader(handle))
    return header, dict(zip(header, row, strict=True))


def french_user():
    from comptoir.users.models import User

    user = make_user("camille@example.com", role="Super admin")
    User.objects.filter(pk=user.pk).update(language="fr")
    return with_create_date(User.objects.get(pk=user.pk))


def test_a_french_page_exports_in_french_in_the_portal_time_zone(alice):
    """The language of the page the export was asked from, though the user never chose one."""
    assert portal().report_time_zone == "Europe/Paris"
    user = with_create_date(make_user("camille@example.com", role="Super admin"))
    assert user.language == ""
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    before = dt.datetime.now(dt.UTC).astimezone(paris)
    with translation.override("fr"):
        export = exports.start_export(user, "contacts", COLUMNS, "CSV")
    after = dt.datetime.now(dt.UTC).astimezone(paris)
    exports.run(export.pk)

    header, row = rows_of(export)
    assert header[:2] == ["Nom", "E-mail"]
    assert (row["E-mail"], row["Phase du cycle de vie"]) == ("alice@exemple.fr", "Client")
    assert row["Date de création"].startswith("1 janv. 2027")
    assert export.name in {f"Contacts {t:%Y-%m-%d %H-%M}" for t in (before, after)}


def test_iso_dates_are_an_option(alice):
    export = exports.start_export(french_user(), "contacts", COLUMNS, "CSV", iso_dates=True)
    exports.run(export.pk)

    _header, row = rows_of(export)
    assert row["Phase du cycle de vie"] == "Client"
    assert row["Date de création"] == "2027-01-01T00:30:00+01:00"


def test_the_list_menu_offers_iso_dates(client, alice):
    client.force_login(french_user())
    response = client.post(
        "/imports/export/contacts/", {"params": COLUMNS, "format": "CSV-ISO"}, follow=False
    )
    assert response.status_code == 302
    export = Export.objects.get()
    assert (export.file_format, export.iso_dates, export.language) == ("CSV", True, "fr")
