"""The /settings/ shell: the side menu, who may open which page, and the helpers every
settings page shares."""

from functools import wraps

from django.http import Http404
from django.shortcuts import redirect, render

from comptoir.core.permissions import has_right
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


def require_right(right: str):
    """Admin pages answer 404 to users without the right, like the menu that hides them
    (one rule for every settings page: a page you may not use does not exist for you)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_right(request.user, right):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


settings_admin = require_right("can_manage_settings")


def page(request, key: str, template: str, context: dict, status: int = 200):
    return render(request, template, {**section_context(request, key), **context}, status=status)


def htmx_redirect(request, url: str):
    """After a change made from a dialog: reload the page behind it (messages show there)."""
    if request.htmx:
        from django.http import HttpResponse

        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
