"""Query budgets of the write path (rule 8): a regression here is felt on every save."""

import pytest

from comptoir.core.associations import limits
from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.records.writes import update_record
from comptoir.core.testing.budgets import query_budget
from comptoir.core.testing.factories import UI, make_company, make_contact, make_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def warm():
    """Definitions, stages and owners cached as in a running server."""
    for name in ("contacts", "companies", "deals"):
        registry.definitions(name)
    portal()
    limits.all_limits()
    make_contact(email="warm@gmail.com")
    make_deal()


def test_create_contact(warm):
    with query_budget("write.create_contact"):
        make_contact(email="new@gmail.com", firstname="Ann", lastname="Lee")


def test_create_contact_joining_its_company(warm):
    make_company(name="Acme", domain="acme.fr")
    with query_budget("write.create_contact_joining_its_company"):
        make_contact(email="new@acme.fr", firstname="Ann")


def test_update_contact(warm):
    contact = make_contact(email="upd@gmail.com")
    with query_budget("write.update_contact"):
        update_record("contacts", contact.pk, {"firstname": "Bo", "jobtitle": "CEO"}, source=UI)


def test_create_deal(warm):
    with query_budget("write.create_deal"):
        make_deal(dealstage="qualifiedtobuy", amount=10)
