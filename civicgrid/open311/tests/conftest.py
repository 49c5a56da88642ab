import pytest

from civicgrid.open311.models import ApiClient


@pytest.fixture
def api_client(db):
    """(ApiClient, its clear key) reporting as the system."""
    client = ApiClient(name="随申办", source_label="随申办")
    raw = client.set_new_key()
    client.save()
    return client, raw
