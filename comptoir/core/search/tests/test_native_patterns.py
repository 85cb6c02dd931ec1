"""CONTAINS_TOKEN checked by GLOB in the substring index (issue 16): on ASCII text the
patterns of `native_patterns` match exactly what the token regex matches, for every value
they accept (Hypothesis, SQLite's own GLOB)."""

import re
import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from comptoir.core.search.compiler import _token_regex, native_patterns

# Characters that matter: word and non-word, whitespace of every kind, GLOB's specials.
ASCII = "abAB01_-. \t\n\x0b\x1c*?[]^\\"
texts = st.text(alphabet=ASCII, max_size=12)
values = st.text(alphabet=ASCII, min_size=1, max_size=5)

_db = sqlite3.connect(":memory:")


def glob(pattern: str, text: str) -> bool:
    return bool(_db.execute("SELECT ? GLOB ?", [text, pattern]).fetchone()[0])


@settings(max_examples=3000, deadline=None)
@given(text=texts, value=values)
def test_glob_patterns_match_what_the_regex_matches(text, value):
    patterns = native_patterns(value)
    if patterns is None:
        return
    lowered = text.lower()
    expected = re.search("(?i)" + _token_regex(value), lowered) is not None
    assert any(glob(p, lowered) for p in patterns) == expected, (patterns, lowered)


@given(text=st.text(max_size=8))
def test_the_ascii_check_of_the_index(text):
    """The compiler's `length(v) = length(CAST(v AS BLOB))`: true for ASCII text only."""
    same = _db.execute("SELECT length(?1) = length(CAST(?1 AS BLOB))", [text]).fetchone()[0]
    assert bool(same) == (text.isascii() and "\x00" not in text)


def test_values_left_to_the_regex():
    assert native_patterns("é*") is None  # not ASCII
    assert native_patterns("a*b") is None  # a `*` between two parts
    assert native_patterns("*ab*") is None  # exact from the index alone already
    assert native_patterns("*") is None
    assert native_patterns("manager") == [
        "manager",
        "manager[^0-9a-z_]*",
        "*[^0-9a-z_]manager",
        "*[^0-9a-z_]manager[^0-9a-z_]*",
    ]
