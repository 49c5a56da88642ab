"""The public service-point map in chromium: no sign-in, Leaflet from our own static files, a
marker and a 15-minute walking circle for each open point, the popup with address and hours."""

import pytest

from civicgrid.party import services

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_public_service_point_map(page, live_server, tree):
    for i, (name, tier, kind) in enumerate(
        [
            ("康桥镇党群服务中心", "town", "centre"),
            ("汤巷馨村红色加油站", "point", "red_station"),
        ]
    ):
        services.do_save_service_point(
            {
                "name": name,
                "tier": tier,
                "kind": kind,
                "address": f"秀沿路{i + 1}号",
                "hours": "全天开放",
                "services": ["饮水", "充电"],
                "lat": 31.105 + i * 0.004,
                "lng": 121.505 + i * 0.004,
            }
        )
    page.goto(live_server.url + "/party/map/")
    page.wait_for_selector("#party-map[data-ready='1']")
    the_map = page.locator("#party-map")
    assert the_map.get_attribute("data-count") == "2"
    assert the_map.get_attribute("data-circles") == "2"
    assert "汤巷馨村红色加油站" in page.locator("#point-list").inner_text()
    # Each point has its walking circle of about 1 km; the red gas station's marker opens a
    # popup with its address, hours and services.
    radii = page.evaluate(
        """() => {
        const map = window.civicgrid.maps['party-map'];
        const radii = [];
        const markers = [];
        map.eachLayer((layer) => {
          if (layer instanceof L.Circle) radii.push(layer.getRadius());
          else if (layer instanceof L.CircleMarker) markers.push(layer);
        });
        markers.find((m) => m.getTooltip().getContent() === '汤巷馨村红色加油站').openPopup();
        return radii;
    }"""
    )
    assert radii == [1000, 1000]
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert (
        "红色加油站" in text and "秀沿路2号" in text and "全天开放" in text and "饮水、充电" in text
    )


def test_a_service_point_is_placed_on_the_map_picker(page, live_server):
    """The staff's service-point form in chromium: a click on the map fills 经度/纬度 (the same
    picker as the projects' form), and the point is saved there."""
    from civicgrid.accounts.choices import Role
    from civicgrid.party.models import ServicePoint
    from civicgrid.testing.browser import login
    from civicgrid.testing.factories import UserFactory, make_tree

    make_tree()
    admin = UserFactory(username="partydesk", role=Role.ADMIN, is_staff=True)
    login(page, live_server, admin.username, next_url="/party/points/new/")
    page.wait_for_selector("#party-point-map[data-ready='1']")
    assert page.input_value("#id_lat") == "" and page.input_value("#id_lng") == ""
    page.click("#party-point-map")
    lat, lng = float(page.input_value("#id_lat")), float(page.input_value("#id_lng"))
    assert 31.0 < lat < 31.5 and 121.2 < lng < 121.8  # the map opens on Shanghai
    page.fill("#id_name", "汤巷雅苑红色加油站")
    page.select_option("#id_tier", "point")
    page.select_option("#id_kind", "red_station")
    page.fill("#id_address", "汤巷雅苑 3 号")
    page.fill("#id_hours", "全天开放")
    page.fill("#id_services", "饮水、充电")
    page.click("#party-form button[type=submit]")
    page.wait_for_selector("#point-table")
    point = ServicePoint.objects.get()
    assert (round(point.lat, 6), round(point.lng, 6)) == (round(lat, 6), round(lng, 6))
    assert point.services == ["饮水", "充电"]
    assert "汤巷雅苑红色加油站" in page.locator("#point-table").inner_text()
