"""Column choices of built-in views, per user."""

from comptoir.core.savedviews.models import ViewPreference


def builtin_columns(user, ot, view_key) -> list[str] | None:
    if not getattr(user, "is_authenticated", False):
        return None
    pref = ViewPreference.objects.filter(user=user, object_type=ot.name, view_key=view_key).first()
    return pref.columns if pref else None
