"""Shared by the settings browser tests: an admin, and pictures of every page to look at."""

import os
import tempfile
from pathlib import Path

import pytest

# Review pictures (1280 and 390 px) go here; only the README's go to docs/screenshots.
REVIEW = Path(
    os.environ.get("COMPTOIR_REVIEW_SHOTS") or Path(tempfile.gettempdir()) / "comptoir-review-shots"
)


@pytest.fixture
def admin(seller):
    """The signed-in seller made an admin (roles are read on each request)."""
    from comptoir.users.models import Role, User

    User.objects.filter(pk=seller.pk).update(role=Role.objects.get(name="Super admin"))
    return seller


def review_shot(page, name: str) -> None:
    REVIEW.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(REVIEW / f"{name}.png"), full_page=True)


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways at 390 px ({width} px wide)"


def drag(page, source, target) -> None:
    """Carry `source` (a drag handle) over `target` with small mouse steps (SortableJS)."""
    a, b = source.bounding_box(), target.bounding_box()
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
    page.mouse.down()
    start, end = a["y"] + a["height"] / 2, b["y"] + 3
    for step in range(1, 26):
        page.mouse.move(a["x"] + a["width"] / 2, start + (end - start) * step / 25)
        page.wait_for_timeout(15)  # SortableJS reacts on animation frames: let it see each step
    page.wait_for_timeout(200)
    page.mouse.up()
