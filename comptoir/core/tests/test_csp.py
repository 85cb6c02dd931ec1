"""Content-Security-Policy: every page says it, and no template needs it loosened (no inline
script, event handler or style; behaviours hang on data-* attributes read by the scripts of
static/js: app.js on every page, one file per page area loaded by that area's templates)."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings

from comptoir.core.testing.factories import make_contact, make_user

TEMPLATES = sorted(Path(settings.BASE_DIR).glob("**/templates/**/*.html"))
INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "event handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    "hx-on (eval)": re.compile(r"\shx-on", re.I),
    "style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.I),
    "style element": re.compile(r"<style[\s>]", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def test_the_templates_are_found():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("kind", INLINE)
def test_no_template_needs_an_inline_exception(kind):
    found = [
        f"{path.relative_to(settings.BASE_DIR)}:{text[: m.start()].count(chr(10)) + 1}"
        for path in TEMPLATES
        for text in [path.read_text(encoding="utf-8")]
        for m in INLINE[kind].finditer(text)
    ]
    assert found == [], f"{kind} in templates"


@pytest.mark.parametrize(
    "tag",
    [
        '<button onclick="go()">',
        "<body ONLOAD='x()'>",
        '<input type="text"\n       oninput = "x()">',
        '<form hx-post="/x/" class="a" onsubmit="return false">',
    ],
)
def test_the_event_handler_check_sees_each_form(tag):
    assert INLINE["event handler"].search(tag)


@pytest.mark.parametrize(
    "tag",
    [
        '<select data-autosubmit name="on">',
        '<option value="1">',
        '<p data-countdown="5" data-on-change="x">',
        '<a href="/" class="button">',
    ],
)
def test_the_event_handler_check_lets_data_attributes_be(tag):
    assert not INLINE["event handler"].search(tag)


SCRIPTS = Path(settings.BASE_DIR) / "static" / "js"
LOADED = re.compile(r"""\{% static ['"]js/([\w.-]+)['"] %\}""")


def test_each_page_script_is_loaded_by_a_template_and_each_loaded_one_exists():
    """Browser behaviour is one file per page area (static/js), each loaded by the templates
    of its area: no file left unloaded, no template loading a file that is gone."""
    loaded = {name for path in TEMPLATES for name in LOADED.findall(path.read_text("utf-8"))}
    on_disk = {path.name for path in SCRIPTS.glob("*.js")}
    assert on_disk - loaded == set(), "scripts no template loads"
    assert loaded - on_disk == set(), "templates load scripts that do not exist"
    assert {"app.js", "list.js", "record.js", "board.js", "tasks.js"} <= on_disk


def policy(response) -> dict:
    header = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


STRICT = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}


@pytest.mark.django_db
def test_every_page_carries_the_strict_policy(client):
    user = make_user("csp@example.com", role="Super admin")
    contact = make_contact(email="lea@example.com")
    anonymous = [client.get(url) for url in ("/login/", "/password-reset/")]
    client.force_login(user)
    pages = [
        client.get(url)
        for url in (
            "/",
            "/contacts/",
            f"/contacts/{contact.pk}/",
            "/deals/board/",
            "/tasks/",
            "/settings/properties/",
            "/settings/pipelines/",
            "/settings/api-tokens/",
            "/imports/new/",
        )
    ]
    for response in anonymous + pages:
        assert response.status_code == 200, response.request["PATH_INFO"]
        got = policy(response)
        assert {k: got.get(k) for k in STRICT} == STRICT, response.request["PATH_INFO"]
        # Nothing looser anywhere: no inline code, no eval, no other origin.
        assert not any(
            value in ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:")
            for values in got.values()
            for value in values
        )


@pytest.mark.django_db
def test_htmx_is_configured_for_the_policy(client):
    """htmx must not inject its indicator <style>, evaluate attribute code, nor copy a style
    attribute while settling a swap (setAttribute("style") is blocked too)."""
    client.force_login(make_user("csp@example.com"))
    html = client.get("/contacts/").content.decode()
    meta = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'>', html)
    assert meta, "htmx-config meta tag"

    config = json.loads(meta.group(1))
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
    assert "style" not in config["attributesToSettle"]
    # Swapped-in controls are bound at once: a dialog opened on afterSwap is live when shown.
    assert config["defaultSettleDelay"] == 0
