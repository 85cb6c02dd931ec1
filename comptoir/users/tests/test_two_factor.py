"""Two-factor sign-in (issue 19, point 6): TOTP as authenticator apps compute it, the code
step after the password, recovery codes, an administrator requiring it and resetting it."""

import base64
import re
import time

import pytest

from comptoir.core.audit.models import AuditEvent
from comptoir.core.testing.factories import make_user
from comptoir.users import throttle, totp, two_factor
from comptoir.users.services import create_token

pytestmark = pytest.mark.django_db

PASSWORD = "Pass-word-123"


def test_codes_are_rfc_6238s():
    secret = base64.b32encode(b"12345678901234567890").decode()
    # RFC 6238, appendix B (HMAC-SHA1, 8 digits).
    assert totp.code_at(secret, 59 // 30, digits=8) == "94287082"
    assert totp.code_at(secret, 1111111109 // 30, digits=8) == "07081804"
    assert totp.code_at(secret, 2000000000 // 30, digits=8) == "69279037"
    now = 1111111109
    assert totp.matching_step(secret, totp.code_at(secret, now // 30), now) == now // 30
    assert totp.matching_step(secret, totp.code_at(secret, now // 30 - 1), now) == now // 30 - 1
    assert totp.matching_step(secret, totp.code_at(secret, now // 30 - 2), now) is None
    for junk in ("", "12345", "1234567", "abcdef", "12 34 5x", "١٢٣٤٥٦"):
        assert totp.matching_step(secret, junk, now) is None


def test_the_qr_code_carries_an_otpauth_address():
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", "rep@example.com", "Comptoir")
    assert uri.startswith("otpauth://totp/Comptoir%3Arep%40example.com?")
    assert "secret=JBSWY3DPEHPK3PXP" in uri and "issuer=Comptoir" in uri


def now_code(user, offset_steps=0):
    device = two_factor.device_of(user)
    return totp.code_at(device.secret, totp.current_step() + offset_steps)


def enable(user):
    device = two_factor.start_setup(user)
    codes = two_factor.confirm_setup(user, totp.code_at(device.secret, totp.current_step() - 1))
    assert codes and len(codes) == two_factor.RECOVERY_CODES
    return codes


def sign_in(client, email, password=PASSWORD, next_url=None):
    data = {"username": email, "password": password}
    url = "/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data, REMOTE_ADDR="203.0.113.7")


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_password_alone_does_not_sign_in_a_user_with_an_app(client):
    user = make_user("rep@example.com")
    enable(user)
    response = sign_in(client, "rep@example.com", next_url="/contacts/")
    assert response.status_code == 302 and response["Location"] == "/login/code/"
    assert not signed_in(client)
    assert client.get("/contacts/").status_code == 302  # still asked to sign in
    page = client.get("/login/code/")
    assert page.status_code == 200 and "authenticator" in page.content.decode()

    wrong = client.post("/login/code/", {"code": "000000"}, REMOTE_ADDR="203.0.113.7")
    assert wrong.status_code == 422 and not signed_in(client)
    assert "That code is not right" in wrong.content.decode()
    failed = AuditEvent.objects.filter(action="sign_in_failed", target="rep@example.com").get()
    assert failed.details == {"step": "two-factor code"}

    right = client.post("/login/code/", {"code": now_code(user)}, REMOTE_ADDR="203.0.113.7")
    assert right.status_code == 302 and right["Location"] == "/contacts/"
    assert signed_in(client)
    assert AuditEvent.objects.filter(action="sign_in", target="rep@example.com").count() == 1


def test_a_code_is_accepted_once(client):
    user = make_user("rep@example.com")
    enable(user)
    code = now_code(user, 1)  # a step not used by enable()
    sign_in(client, "rep@example.com")
    assert client.post("/login/code/", {"code": code}).status_code == 302
    client.logout()
    sign_in(client, "rep@example.com")
    replay = client.post("/login/code/", {"code": code})
    assert replay.status_code == 422 and not signed_in(client)


def test_a_recovery_code_signs_in_once(client):
    user = make_user("rep@example.com")
    codes = enable(user)
    sign_in(client, "rep@example.com")
    assert client.post("/login/code/", {"code": codes[3].upper()}).status_code == 302
    client.logout()
    sign_in(client, "rep@example.com")
    assert client.post("/login/code/", {"code": codes[3]}).status_code == 422
    assert two_factor.recovery_codes_left(user) == two_factor.RECOVERY_CODES - 1
    assert AuditEvent.objects.filter(action="recovery_code_used").get().details == {"left": 9}


def test_the_code_step_expires_and_cannot_be_reached_without_the_password(client, monkeypatch):
    assert client.get("/login/code/")["Location"] == "/login/"
    assert client.post("/login/code/", {"code": "123456"})["Location"] == "/login/"
    user = make_user("rep@example.com")
    enable(user)
    sign_in(client, "rep@example.com")
    later = time.time() + 301
    monkeypatch.setattr("comptoir.users.sign_in_code.time.time", lambda: later)
    response = client.post("/login/code/", {"code": now_code(user)})
    assert response["Location"] == "/login/" and not signed_in(client)


def test_wrong_codes_are_throttled_like_wrong_passwords(client):
    user = make_user("rep@example.com")
    enable(user)
    sign_in(client, "rep@example.com")
    for _ in range(throttle.SIGNIN_ACCOUNT.limit):
        assert client.post("/login/code/", {"code": "000000"}).status_code == 422
    locked = client.post("/login/code/", {"code": now_code(user)})
    assert locked.status_code == 429 and not signed_in(client)
    assert "Too many failed sign-in attempts" in locked.content.decode()


def test_next_cannot_leave_the_site(client):
    user = make_user("rep@example.com")
    enable(user)
    sign_in(client, "rep@example.com", next_url="https://evil.example/")
    response = client.post("/login/code/", {"code": now_code(user)})
    assert response.status_code == 302 and response["Location"] == "/"


def test_setting_up_from_the_profile(client):
    user = make_user("rep@example.com")
    client.force_login(user)
    assert "Set up" in client.get("/settings/profile/").content.decode()
    page = client.get("/settings/profile/two-factor/").content.decode()
    assert "<svg" in page and 'data-testid="two-factor-secret"' in page
    secret = re.search(r'two-factor-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert secret == two_factor.device_of(user).secret
    # Reloading keeps the same key: the QR code already scanned stays good.
    assert secret in client.get("/settings/profile/two-factor/").content.decode().replace(" ", "")
    bad = client.post("/settings/profile/two-factor/", {"code": "12"})
    assert bad.status_code == 422 and not two_factor.is_enabled(user)
    done = client.post(
        "/settings/profile/two-factor/", {"code": totp.code_at(secret, totp.current_step())}
    )
    assert done.status_code == 200 and two_factor.is_enabled(user)
    shown = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.content.decode())
    assert len(shown) == two_factor.RECOVERY_CODES
    assert AuditEvent.objects.filter(action="two_factor_enabled", actor_id=user.pk).exists()
    # Turning it off needs a code.
    assert client.post("/settings/profile/two-factor/off/", {"code": "000000"}).status_code == 422
    assert two_factor.is_enabled(user)
    off = client.post("/settings/profile/two-factor/off/", {"code": shown[0]})
    assert off.status_code == 302 and not two_factor.is_enabled(user)
    assert AuditEvent.objects.filter(action="two_factor_disabled").exists()


def test_an_administrator_requires_it_and_the_api_is_not_affected(client):
    admin = make_user("admin@example.com", role="Super admin")
    rep = make_user("rep@example.com")
    _token, raw = create_token(rep, "Connector")
    client.force_login(admin)
    response = client.post(
        "/settings/configuration/",
        {
            "company_name": "Acme",
            "company_domain": "",
            "report_time_zone": "Europe/Paris",
            "currency": "EUR",
            "default_language": "fr",
            "require_two_factor": "on",
        },
    )
    assert response.status_code == 302 and two_factor.is_required()
    changed = AuditEvent.objects.filter(action="settings_changed").latest("id")
    assert changed.details["require_two_factor"] == [False, True]
    assert "currency" not in changed.details  # unchanged settings are not listed

    client.force_login(rep)
    assert client.get("/contacts/")["Location"] == "/settings/profile/two-factor/"
    htmx = client.get("/contacts/", HTTP_HX_REQUEST="true")
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == "/settings/profile/two-factor/"
    assert client.get("/settings/profile/two-factor/").status_code == 200
    api = client.get("/crm/v3/objects/contacts", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.status_code == 200
    enable(rep)
    assert client.get("/contacts/").status_code == 200
    # Required: it cannot be turned off.
    off = client.post("/settings/profile/two-factor/off/", {"code": now_code(rep, 1)})
    assert off.status_code == 302 and two_factor.is_enabled(rep)


def test_an_administrator_resets_a_lost_phone_and_a_rep_cannot(client):
    admin = make_user("admin@example.com", role="Super admin")
    rep = make_user("rep@example.com")
    other = make_user("other@example.com")
    enable(rep)
    client.force_login(other)
    refused = client.post(f"/settings/team/users/{rep.pk}/two-factor/reset/")
    assert refused.status_code in (403, 404) and two_factor.is_enabled(rep)
    client.force_login(admin)
    assert (
        "Reset two-factor sign-in" in client.get(f"/settings/team/users/{rep.pk}/").content.decode()
    )
    response = client.post(f"/settings/team/users/{rep.pk}/two-factor/reset/")
    assert response.status_code == 302 and not two_factor.is_enabled(rep)
    event = AuditEvent.objects.filter(action="two_factor_reset").get()
    assert event.actor_email == "admin@example.com" and event.target == "rep@example.com"
    client.logout()
    sign_in(client, "rep@example.com")
    assert signed_in(client)
