"""The tests' HTML reader (core/testing/html.py)."""

import pytest

from comptoir.core.testing.html import form_fields, links, select, select_one, table_rows, text_of

PAGE = """<!doctype html><html><body>
<nav class="menu main"><a href="/a/">First <b>one</b></a><a class="on" href="/b/">Two</a></nav>
<table><tr><th scope="col">Name</th><th>Due</th></tr>
<tr id="task-4" data-id="4"><td class="name">Call&nbsp;Ann</td><td>today<br>10:00</td></tr>
<tr id="task-5"><td class="name">Mail Bob</td><td>
  tomorrow</td></tr></table>
<form><input name="version" value="v1"><input type="checkbox" name="done">
<input type="checkbox" name="keep" checked><textarea name="body">Hi</textarea>
<select name="owner"><option value="1">A</option><option value="2" selected>B</option></select>
</form>
</body></html>"""


def test_selectors():
    assert [n.get("id") for n in select(PAGE, "tr[id^=task-]")] == ["task-4", "task-5"]
    assert text_of(select_one(PAGE, "tr#task-4 td.name")) == "Call\xa0Ann"
    assert [text_of(a) for a in select(PAGE, "nav.menu.main > a")] == ["First one", "Two"]
    assert select(PAGE, "nav a.on[href='/b/']")[0].text == "Two"
    assert select(PAGE, '[data-id="4"]')[0].tag == "tr"
    assert select(PAGE, "table > a") == []
    with pytest.raises(AssertionError, match="nothing matches"):
        select_one(PAGE, "section")


def test_links_fields_and_rows():
    assert links(select_one(PAGE, "nav")) == [("First one", "/a/"), ("Two", "/b/")]
    assert form_fields(PAGE) == {"version": "v1", "keep": "on", "body": "Hi", "owner": "2"}
    assert table_rows(PAGE) == [
        ["Name", "Due"],
        ["Call\xa0Ann", "today10:00"],
        ["Mail Bob", "tomorrow"],
    ]


def test_a_newline_right_after_textarea_is_not_its_value():
    """As in browsers (Django's Textarea writes one): only the first newline goes."""
    html = '<textarea name="a">\nHi</textarea><textarea name="b">\n\nTwo</textarea>'
    assert form_fields(html) == {"a": "Hi", "b": "\nTwo"}
