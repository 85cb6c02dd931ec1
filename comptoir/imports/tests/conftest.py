import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def importer_user(db):
    from comptoir.core.testing.factories import make_user

    return make_user(
        "importer@example.com", first_name="Inès", last_name="Porte", role="Super admin"
    )
