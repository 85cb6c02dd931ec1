"""Normalised search text: lower-case, accent-free alphanumeric tokens.

The same normalisation is applied to stored text and to queries, which is what makes
"Lefevre" find "Lefèvre" on both SQLite FTS5 and PostgreSQL full-text search.
"""

import functools
import re
import unicodedata

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
MAX_QUERY_TOKENS = 8


def fold(text: str) -> str:
    """Lower-case and strip accents ("Lefèvre" → "lefevre", "Œuvre" → "oeuvre")."""
    if text.isascii():
        return text.lower()  # nothing to decompose: the common case, ten times faster
    if len(text) <= 40:
        return _fold_short(text)
    return _fold_unicode(text)


@functools.lru_cache(maxsize=4096)
def _fold_short(text: str) -> str:
    """Names and words repeat (Hélène, Léa, Société...): remember their folding."""
    return _fold_unicode(text)


def _fold_unicode(text: str) -> str:
    text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


_NOT_ASCII_DIGIT = re.compile(r"[^0-9]+")


def phone_digits(text: str) -> str:
    """National digits of a phone number, so "+33 6 12 34 56 78" is found by "0612345678"."""
    if text.isascii():  # the common case: only 0-9 are digits, and a regex is faster
        digits = _NOT_ASCII_DIGIT.sub("", text)
    else:
        digits = "".join(c for c in text if unicodedata.digit(c, None) is not None)
    if text.strip().startswith("+33") and len(digits) == 11:
        return "0" + digits[2:]
    return digits


def document(values: list[str], phones: list[str] = ()) -> str:
    """The search_text of a record from its searchable values."""
    parts: list[str] = []
    for value in values:
        parts.extend(tokens(value))
    for value in phones:
        digits = phone_digits(value)
        if digits:
            parts.append(digits)
    return " ".join(parts)


def query_tokens(query: str) -> list[str]:
    return tokens(query)[:MAX_QUERY_TOKENS]


def matches(search_text: str, query: str) -> bool:
    """Plain-Python meaning of a full-text query: every query token prefixes a stored token."""
    stored = search_text.split()
    return all(any(t.startswith(q) for t in stored) for q in query_tokens(query))
