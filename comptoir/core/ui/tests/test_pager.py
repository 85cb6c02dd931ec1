"""The pager is one partial (templates/_pager.html) whose context one helper builds
(core/ui/pager.py): every paged list shows the same links, words and rows-per-page choice."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory

from comptoir.core.savedviews.listing import PAGE_SIZES
from comptoir.core.testing.factories import make_contact
from comptoir.core.testing.html import select, select_one, text_of
from comptoir.core.ui.pager import pager, query_page_url

TEMPLATES = Path(settings.BASE_DIR) / "templates"
PAGED = [
    "records/_table.html",
    "tasks/page.html",
    "notifications/list.html",
    "dashboard/contacts_called.html",
    "dashboard/activities.html",
]


def test_the_helper_links_the_neighbouring_pages_only_when_they_exist():
    url = "?page={}".format
    first = pager(1, True, url)
    assert (first.number, first.previous_url, first.next_url) == (1, "", "?page=2")
    last = pager(3, False, url, pages=3)
    assert (last.previous_url, last.next_url, last.pages) == ("?page=2", "", 3)
    sized = pager(2, True, url, sizes=(25, 50), per_page=50, size_url="?size={}".format)
    assert [(s.size, s.url, s.selected) for s in sized.sizes] == [
        (25, "?size=25", False),
        (50, "?size=50", True),
    ]


def test_query_page_links_keep_the_other_parameters():
    request = RequestFactory().get("/dashboard/contacts-called/", {"period": "week", "page": 3})
    assert query_page_url(request)(4) == "?period=week&page=4"


@pytest.mark.parametrize("name", PAGED)
def test_every_paged_list_includes_the_one_partial(name):
    text = (TEMPLATES / name).read_text("utf-8")
    assert '{% include "_pager.html" %}' in text


def test_no_other_template_writes_pager_markup():
    found = [
        str(path.relative_to(TEMPLATES))
        for path in sorted(TEMPLATES.rglob("*.html"))
        if path.name != "_pager.html" and 'class="pager"' in path.read_text("utf-8")
    ]
    assert found == []


def test_the_contacts_list_pages_through_the_partial(client_in):
    for i in range(PAGE_SIZES[0] + 1):
        make_contact(email=f"p{i}@example.com", firstname="Page", lastname=f"{i:02}")
    first = select_one(client_in.get("/contacts/?sort=lastname").content.decode(), "nav.pager")
    assert select(first, "a[rel=prev]") == []
    assert select_one(first, "a[rel=next]").get("href") == "?sort=lastname&page=2"
    assert "Page 1" in text_of(first)
    options = select(first, "select#per-page option")
    assert [o.text for o in options] == [str(s) for s in PAGE_SIZES]
    assert [o.text for o in options if "selected" in o.attrs] == [str(PAGE_SIZES[0])]
    second = select_one(
        client_in.get("/contacts/?sort=lastname&page=2").content.decode(), "nav.pager"
    )
    assert select_one(second, "a[rel=prev]").get("href") == "?sort=lastname"
    assert select(second, "a[rel=next]") == [] and "Page 2" in text_of(second)
