"""Query budgets of the write path (rule 8): a regression here is felt on every save."""

import json
from pathlib import Path

import pytest

from comptoir.core.associations import limits
from comptoir.core.portal.services import portal
from comptoir.core.properties import registry
from comptoir.core.records.services import update_record
from comptoir.core.testing.factories import UI, make_company, make_contact, make_deal

pytestmark = pytest.mark.django_db
BUDGETS = json.loads((Path(__file__).parent / "query_budgets.json").read_text())


@pytest.fixture
def warm():
    """Definitions, stages and owners cached as in a running server."""
    for name in ("contacts", "companies", "deals"):
        registry.definitions(name)
    portal()
    limits.all_limits()
    make_contact(email="warm@gmail.com")
    make_deal()


def test_create_contact(warm, django_assert_max_num_queries):
    with django_assert_max_num_queries(BUDGETS["create_contact"]):
        make_contact(email="new@gmail.com", firstname="Ann", lastname="Lee")


def test_create_contact_joining_its_company(warm, django_assert_max_num_queries):
    make_company(name="Acme", domain="acme.fr")
    with django_assert_max_num_queries(BUDGETS["create_contact_with_domain_company"]):
        make_contact(email="new@acme.fr", firstname="Ann")


def test_update_contact(warm, django_assert_max_num_queries):
    contact = make_contact(email="upd@gmail.com")
    with django_assert_max_num_queries(BUDGETS["update_contact"]):
        update_record("contacts", contact.pk, {"firstname": "Bo", "jobtitle": "CEO"}, source=UI)


def test_create_deal(warm, django_assert_max_num_queries):
    with django_assert_max_num_queries(BUDGETS["create_deal"]):
        make_deal(dealstage="qualifiedtobuy", amount=10)
