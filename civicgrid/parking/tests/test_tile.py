"""The shared-parking tile on the dashboard (registered through dashboard.tiles)."""

import pytest

from civicgrid.parking import services

pytestmark = pytest.mark.django_db


def test_the_tile_on_the_dashboard(client_for, users, parking, clock):
    from civicgrid.testing.world import local

    b = services.do_book(
        None,
        offer=parking["offer"],
        household=parking["booker"],
        starts_at=local(2026, 11, 23, 11),
        ends_at=local(2026, 11, 23, 12),
    ).booking
    clock.set(2026, 11, 23, 11, 0)
    services.do_arrive(None, b)
    clock.set(2026, 11, 23, 12, 30)
    services.do_mark_overstay(None, b)
    page = client_for(users["operator"]).get("/dashboard/").content.decode()
    assert 'id="parking-tile"' in page
    assert "今日预约 1 个，超时占用 1 个" in page
    assert "车位比（在册车辆 1 辆 ÷ 车位 1 个）" in page
    data = client_for(users["operator"]).get("/dashboard/data.json").json()
    assert data["tiles"]["parking"]["overstays_now"] == 1
