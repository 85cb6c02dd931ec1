from django.http import Http404
from django.shortcuts import redirect

from comptoir.settings_pages.menu import visible_sections


def settings_home(request):
    """/settings/: the first section this user may open."""
    sections = visible_sections(request.user)
    if not sections:
        raise Http404
    return redirect(sections[0]["url"])


def section_context(request, key: str) -> dict:
    """What every settings page template needs for the side menu."""
    return {"settings_sections": visible_sections(request.user), "settings_current": key}
