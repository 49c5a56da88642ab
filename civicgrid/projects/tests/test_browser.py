"""A resident supports a project on a 360 px phone, in chromium (once: the button goes)."""

import pytest

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
    assert "感谢您的支持" in page.locator(".message").first.inner_text()
    card = page.locator(f"#project-{project.pk}")
    assert "您已支持" in card.inner_text() and "已有 1 位居民支持" in card.inner_text()
    assert card.locator("button[value=support]").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert Support.objects.filter(project=project, user__username="resident").count() == 1
