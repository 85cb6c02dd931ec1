"""Per-document figures (TOOL-4): views, unique viewers, average time, pages read and the
time spent on each page, from the views of all its links (a constant number of queries).
Only confirmed views count (`ViewSession.confirmed_at`: the viewer's browser read it), never
the sender's own."""

from dataclasses import dataclass, field

from django.db.models import Avg, Count, Sum

from comptoir.documents.models import PageTime, ViewSession, counted

RECENT = 20


@dataclass
class Figures:
    views: int = 0
    viewers: int = 0
    average_seconds: int = 0
    pages_read: int = 0  # pages read at least once, over all views
    page_count: int = 0
    downloads: int = 0
    pages: list[dict] = field(default_factory=list)  # [{page, seconds, percent, views}]
    recent: list = field(default_factory=list)

    @property
    def read_percent(self) -> int:
        return round(100 * self.pages_read / self.page_count) if self.page_count else 0


def figures(document) -> Figures:
    views = ViewSession.objects.filter(counted(), document=document)
    totals = views.aggregate(n=Count("pk"), avg=Avg("seconds"))
    result = Figures(
        views=totals["n"] or 0,
        average_seconds=round(totals["avg"] or 0),
        page_count=document.page_count,
    )
    if not result.views:
        return result
    who = views.values_list("viewer_email", "key")
    result.viewers = len({email.lower() if email else key for email, key in who})
    result.downloads = views.filter(downloaded=True).count()
    per_page = {
        row["page"]: row
        for row in PageTime.objects.filter(
            counted("session__"), session__document=document, seconds__gt=0
        )
        .values("page")
        .annotate(seconds=Sum("seconds"), views=Count("session", distinct=True))
    }
    result.pages_read = len(per_page)
    longest = max((row["seconds"] for row in per_page.values()), default=0) or 1
    for page in range(1, document.page_count + 1):
        row = per_page.get(page, {"seconds": 0, "views": 0})
        result.pages.append(
            {
                "page": page,
                "seconds": row["seconds"],
                "views": row["views"],
                "percent": round(100 * row["seconds"] / longest),
            }
        )
    result.recent = list(views.select_related("link").order_by("-started_at", "-pk")[:RECENT])
    return result


def duration(seconds: int) -> str:
    seconds = max(int(seconds or 0), 0)
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"
