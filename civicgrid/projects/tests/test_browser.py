"""A resident supports a project on a 360 px phone, in chromium (once: the button goes)."""

import pytest
from playwright.sync_api import expect

from civicgrid.projects.models import Support
from civicgrid.testing.browser import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_resident_supports_a_project(phone_page, live_server, users, make_project):
    project = make_project("楼道扶手加装")
    page = phone_page
    login(page, live_server, "resident")
    page.goto(live_server.url + "/projects/r/")
    card = page.locator(f"#project-{project.pk}")
    assert "已有 0 位居民支持" in card.inner_text()
    card.locator("button[value=support]").click()
    expect(page.locator(".message").first).to_contain_text("感谢您的支持")
    card = page.locator(f"#project-{project.pk}")
    assert "您已支持" in card.inner_text() and "已有 1 位居民支持" in card.inner_text()
    expect(card.locator("button[value=support]")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert Support.objects.filter(project=project, user__username="resident").count() == 1


def test_the_desk_moves_a_project_on_the_map_picker(page, live_server, users, make_project):
    """The project form's place picker (web/map.js, the one every form uses): the edit form opens
    close on the stored point, a click elsewhere on the map fills 经度/纬度, and saving stores it."""
    project = make_project("普育里美丽家园", lon=121.5051, lat=31.1052)
    login(page, live_server, "staff", next_url=f"/projects/{project.pk}/edit/")
    page.wait_for_selector("#project-place-map[data-ready='1']")
    assert (page.input_value("#id_lon"), page.input_value("#id_lat")) == ("121.5051", "31.1052")
    view = page.evaluate(
        """() => {
        const map = window.civicgrid.maps['project-place-map'];
        return [map.getZoom(), map.getCenter().lng, map.getCenter().lat];
    }"""
    )
    assert view[0] >= 16 and abs(view[1] - 121.5051) < 1e-3 and abs(view[2] - 31.1052) < 1e-3
    page.click("#project-place-map", position={"x": 60, "y": 60})
    lon, lat = float(page.input_value("#id_lon")), float(page.input_value("#id_lat"))
    assert (lon, lat) != (121.5051, 31.1052)
    assert abs(lon - 121.5051) < 0.03 and abs(lat - 31.1052) < 0.03  # close in, not the city
    page.click("#project-form button[type=submit]")
    page.wait_for_url(f"**/projects/{project.pk}/")
    project.refresh_from_db()
    assert (round(project.lon, 6), round(project.lat, 6)) == (round(lon, 6), round(lat, 6))
