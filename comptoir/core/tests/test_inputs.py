"""Ids and whole numbers from requests are ASCII digits (issue 13): str.isdigit() is true of
"²", which int() refuses (a 500 where a view trusted isdigit()), and int() reads Arabic-Indic
"١٢" or fullwidth digits as 12. core/inputs.py reads them all, and refuses those."""

import pytest

from comptoir.core.inputs import MAX_ID, digits, parse_id, parse_int, whole_number
from comptoir.core.savedviews.listing import paging
from comptoir.core.ui.timeline import Cursor

ODD = ["²", "١٢", "\uff11\uff12", "1_000", "", " ", "1.5", "0x1f", None, True, [1]]


@pytest.mark.parametrize("raw", ODD)
def test_odd_digits_are_no_number(raw):
    assert (digits(raw), parse_id(raw), parse_int(raw), whole_number(raw)) == (None,) * 4


def test_numbers_people_type():
    assert (digits("007"), digits(" 7"), digits("-7")) == (7, None, None)
    assert (parse_id(" 12 "), parse_id("0"), parse_id(str(MAX_ID + 1)), parse_id(5)) == (
        12,
        None,
        None,
        5,
    )
    assert (parse_int("-3"), parse_int("-3", 0), parse_int(" +4 ", 0, 4), parse_int(4.0)) == (
        -3,
        None,
        4,
        4,
    )
    assert (whole_number(2.0), whole_number(2.0, floats=False), whole_number("9" * 31)) == (
        2,
        None,
        None,
    )


def test_pages_and_cursors_read_ascii_digits_only():
    """Before, page=١٢ was page 12 and a cursor's pk in fullwidth digits was 12."""
    assert paging({"page": "١٢", "per_page": "\uff15\uff10"}) == (25, 1)
    assert paging({"page": "3", "per_page": "50"}) == (50, 3)
    assert Cursor.decode("2026-03-01T00:00:00+00:00~1~\uff11\uff12") is None
    assert Cursor.decode("2026-03-01T00:00:00+00:00~1~12").pk == 12
