import datetime as dt

import pytest

from comptoir.core.portal.services import portal
from comptoir.core.testing.factories import make_contact, make_user
from comptoir.core.testing.processes import _site_template, site  # noqa: F401 (test_kill)
from comptoir.emailtemplates.services import create_template
from comptoir.mail import services as mail_services
from comptoir.mail.tests.conftest import imap_box  # noqa: F401 (test_stops_end_to_end)
from comptoir.mail.tests.test_send_kill import accepting_server, holding_server  # noqa: F401
from comptoir.sequences import services

# Tuesday 3 March 2026, 10:00 in Paris (09:00 UTC): a business day, inside 8-18.
TUESDAY_10 = dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC)


def connect(user, servers):
    return mail_services.connect_mailbox(
        user,
        {
            "email_address": f"{user.email}",
            "provider": "",
            "smtp_host": servers.host,
            "smtp_port": servers.smtp_starttls_port,
            "smtp_security": "starttls",
            "smtp_username": servers.user,
            "smtp_password": servers.password,
            "imap_host": servers.host,
            "imap_port": 993,
            "imap_security": "ssl",
        },
    )


@pytest.fixture
def rep(db, mail_settings):
    user = make_user(email="rita@example.com", first_name="Rita", last_name="Moreau")
    connect(user, mail_settings)
    assert portal().report_time_zone == "Europe/Paris"
    return user


@pytest.fixture
def template(rep):
    return create_template(
        rep,
        name="Premier contact",
        subject="Bonjour {{ contact.firstname }}",
        body='<p>Bonjour {{ contact.firstname | default:"" }}, voici notre offre.</p>',
    )


@pytest.fixture
def contact(db):
    return make_contact(email="anne@client.fr", firstname="Anne", lastname="Martin")


@pytest.fixture
def sequence(rep, template):
    seq = services.save_sequence(rep, {"name": "Relance", "window_start": 8, "window_end": 18})
    services.save_step(rep, seq, {"kind": "email", "delay_days": 0, "template": template.pk})
    services.save_step(rep, seq, {"kind": "email", "delay_days": 2, "template": template.pk})
    services.save_step(rep, seq, {"kind": "call", "delay_days": 1, "title": "Appeler Anne"})
    return seq
