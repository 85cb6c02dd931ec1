"""Settings → Import & export: the history of the imports and exports the user may see."""

from django.urls import path

from comptoir.core.permissions import has_right
from comptoir.imports.exports import visible_exports
from comptoir.imports.services import visible_imports
from comptoir.settings_pages.views import page


def import_export(request):
    return page(
        request,
        "import-export",
        "imports/settings.html",
        {
            "imports": list(visible_imports(request.user)[:50]),
            "exports": list(visible_exports(request.user)[:50]),
            "can_import": has_right(request.user, "can_import"),
        },
    )


urlpatterns = [path("", import_export, name="import_export")]
