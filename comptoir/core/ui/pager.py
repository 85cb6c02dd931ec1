"""The pager under every paged list (index pages, tasks page, dashboard lists, notifications):
one partial, `templates/_pager.html`, and its context, built here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from comptoir.core.savedviews.listing import PAGE_SIZES, ListState


@dataclass(frozen=True)
class PageSize:
    size: int
    url: str
    selected: bool


@dataclass(frozen=True)
class Pager:
    """What `_pager.html` shows: the page number (and the number of pages when known), the
    previous and next links (empty when there is none) and the rows-per-page choices."""

    number: int
    previous_url: str
    next_url: str
    pages: int | None = None
    sizes: tuple[PageSize, ...] = ()


def pager(
    number: int,
    has_next: bool,
    page_url: Callable[[int], str],
    *,
    pages: int | None = None,
    sizes: Iterable[int] = (),
    per_page: int | None = None,
    size_url: Callable[[int], str] | None = None,
) -> Pager:
    """The pager of page `number`, `page_url(n)` linking to page n; `sizes` with `size_url`
    offer rows-per-page choices, `per_page` being the current one."""
    return Pager(
        number=number,
        previous_url=page_url(number - 1) if number > 1 else "",
        next_url=page_url(number + 1) if has_next else "",
        pages=pages,
        sizes=tuple(PageSize(size, size_url(size), size == per_page) for size in sizes)
        if size_url
        else (),
    )


def list_pager(state: ListState, has_next: bool) -> Pager:
    """The pager of a list page (its ListState keeps filters, sort and view in each link)."""
    return pager(
        state.page,
        has_next,
        # "?" rather than "": an empty href would stay on the current page.
        lambda n: state.url(page=n) or "?",
        sizes=PAGE_SIZES,
        per_page=state.per_page,
        size_url=lambda size: state.url(per_page=size, page=1) or "?",
    )


def paginator_pager(request, page) -> Pager:
    """The pager of a Django Paginator's `page` of a list paged by `?page=` (its number of
    pages shown, the request's other parameters kept in the links)."""
    return pager(
        page.number,
        page.has_next(),
        query_page_url(request),
        pages=page.paginator.num_pages,
    )


def query_page_url(request) -> Callable[[int], str]:
    """Links to other pages of a list paged by `?page=`, its other parameters kept."""

    def url(number: int) -> str:
        params = request.GET.copy()
        params["page"] = str(number)
        return "?" + params.urlencode()

    return url
