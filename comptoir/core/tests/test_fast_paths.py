"""Shortcuts on the bulk write path give exactly what the general code gives: plain
addresses skip email_validator, ASCII text skips Unicode decomposition, ASCII phone
numbers lose their non-digits by a regex, text values skip to_api_string's type checks,
floats are written from their repr()."""

import unicodedata
from decimal import Decimal

import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import given, settings
from hypothesis import strategies as st

from comptoir.core.properties.coercion import (
    _PLAIN_EMAIL,
    _plain_email,
    format_number,
    normalize_email,
    to_api_string,
)
from comptoir.core.properties.errors import PropertyError
from comptoir.core.properties.models import PropertyDefinition
from comptoir.core.search.text import fold, phone_digits


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


def _slow_phone_digits(text):
    digits = "".join(c for c in text if c.isdigit())
    if text.strip().startswith("+33") and len(digits) == 11:
        return "0" + digits[2:]
    return digits


@given(st.text() | st.text("+0123456789 ()-./²٣x"))
def test_phone_digits_are_the_same_for_any_text(text):
    assert phone_digits(text) == _slow_phone_digits(text)


class _Text(str):
    def __str__(self):
        return "str() of a subclass"


@given(st.text())
def test_to_api_string_gives_text_as_str_does(text):
    defn = PropertyDefinition(name="x", type="string")
    assert to_api_string(defn, text) == str(text)
    assert to_api_string(defn, _Text(text)) == "str() of a subclass"


def _outcome(value):
    try:
        return format_number(value)
    except ArithmeticError as exc:
        return type(exc)


@given(st.floats() | st.integers(-(10**20), 10**20).map(float))
def test_a_float_is_written_as_its_decimal_is(value):
    assert _outcome(value) == _outcome(Decimal(repr(value)))
