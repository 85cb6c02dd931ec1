"""User HTML (notes, call and meeting notes) cleaned to a small set of safe tags."""

import nh3
from django.utils.html import linebreaks, strip_tags
from django.utils.safestring import mark_safe

TAGS = {"p", "br", "div", "b", "strong", "i", "em", "u", "ul", "ol", "li", "a", "span"}
# span: @mentions, <span class="mention" data-mention="<user id>"> (comptoir.notifications).
ATTRIBUTES = {"a": {"href"}, "span": {"data-mention"}}
CLASSES = {"span": {"mention"}}
SCHEMES = {"http", "https", "mailto", "tel"}


def clean_html(html: str | None) -> str:
    """Only the tags the composer's toolbar makes; links get rel=noopener and no script URLs."""
    if not html:
        return ""
    return nh3.clean(
        str(html),
        tags=TAGS,
        attributes=ATTRIBUTES,
        allowed_classes=CLASSES,
        url_schemes=SCHEMES,
        link_rel="noopener noreferrer nofollow",
    ).strip()


def safe_html(html: str | None):
    """Stored HTML (which the API may have written unchecked) made safe to show."""
    return mark_safe(clean_html(html))  # cleaned by nh3 just above


def text_to_html(text: str | None) -> str:
    """Plain text typed in a textarea → paragraphs, escaped."""
    if not text or not text.strip():
        return ""
    return linebreaks(text.strip(), autoescape=True)


def plain_text(html: str | None) -> str:
    return " ".join(strip_tags(html or "").split())
