"""Routes of this settings section (filled in when the section is built)."""

urlpatterns: list = []
