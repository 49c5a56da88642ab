"""The frame in a real browser: the landing page, a refused login, a signed-in session."""

import pytest

from civicgrid.accounts.choices import Role
from civicgrid.testing.browser import login
from civicgrid.testing.factories import UserFactory

# serialized_rollback: the flush after a transactional test would drop the categories and the
# calendar seeded by migrations for the tests that run after it in this worker.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_login_in_the_browser(page, live_server):
    user = UserFactory(role=Role.OPERATOR, is_staff=True, first_name="城运", last_name="")
    page.goto(live_server.url + "/")
    assert page.locator("a", has_text="工作人员登录").first.is_visible()

    login(page, live_server, user.username, "wrong-password")
    assert page.locator(".form-errors").inner_text().strip() == "用户名或密码不正确"
    assert page.input_value("input[name=username]") == user.username

    login(page, live_server, user.username, next_url="/admin/")
    assert page.url.endswith("/admin/")
    page.goto(live_server.url + "/login/")
    assert "受理/派遣员" in page.locator(".topbar .who").inner_text()


def test_a_phone_sized_page_fits_360_px(phone_page, live_server):
    phone_page.goto(live_server.url + "/login/")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
