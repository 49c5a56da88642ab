import pytest

from civicgrid.fieldwork.tests.conftest import grid_case

pytestmark = pytest.mark.django_db


def test_pages_render(users, households, client_for):
    u = users
    grid_case(u["worker"], operator=u["operator"])
    grid_case(u["worker"], operator=u["operator"], until="handled")
    c = client_for(u["worker"])
    for url in [
        "/m/",
        "/m/report/",
        "/m/patrols/",
        "/m/visits/",
        "/m/visits/new/?q=1501",
        "/m/visits/summary/",
    ]:
        r = c.get(url)
        assert r.status_code == 200, (url, r.content.decode()[:2000])
