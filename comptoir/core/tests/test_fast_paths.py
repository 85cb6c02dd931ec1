"""Shortcuts on the bulk write path give exactly what the general code gives: plain
addresses skip email_validator and ASCII text skips Unicode decomposition."""

import unicodedata

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from comptoir.core.properties.coercion import _PLAIN_EMAIL, _plain_email, normalize_email
from comptoir.core.properties.errors import PropertyError
from comptoir.core.search.text import fold


def _validator(text):
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


@settings(max_examples=400, deadline=None)
@given(st.from_regex(_PLAIN_EMAIL, fullmatch=True))
def test_every_address_taken_by_the_shortcut_is_one_email_validator_accepts_unchanged(text):
    if _plain_email(text):
        assert normalize_email(text) == _validator(text) == text.lower()


@pytest.mark.parametrize(
    "text",
    [
        "jean.dupont@example.fr",
        "Hélène@exemple.fr",  # not ASCII: the validator decides
        "a..b@x.fr",
        "a.@x.fr",
        "a@x-.fr",
        "a@x.123",
        "a@x.test",
        "a@x.local",
        "a@localhost",
        "a@b.c",
        "a@xn--bcher-kva.fr",
        "x" * 65 + "@example.fr",
        "a@" + "b" * 63 + "." + "c" * 63 + "." + "d" * 63 + "." + "e" * 60 + ".fr",
        '"quoted"@example.fr',
    ],
)
def test_edge_addresses_get_the_validators_answer(text):
    expected = _validator(text.strip())
    if expected is None:
        with pytest.raises(PropertyError) as caught:
            normalize_email(text)
        assert caught.value.code == "INVALID_EMAIL"
    else:
        assert normalize_email(text) == expected


def _slow_fold(text):
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@given(st.text())
def test_fold_is_the_same_for_any_text(text):
    assert fold(text) == _slow_fold(text)


def test_fold_strips_accents_and_ligatures():
    assert fold("Lefèvre ŒUVRE Æther") == "lefevre oeuvre aether"
