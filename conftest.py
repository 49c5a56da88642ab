import pytest


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    # Uploaded files from tests never land in the demo's var/media.
    settings.MEDIA_ROOT = tmp_path / "media"
