"""In chromium: the kiosk of a 居村 rotates its live notices and sends a household to sign in; a
household signed in looks up its own relocation figures (and not its neighbour's)."""

import datetime

import pytest
from playwright.sync_api import expect

from civicgrid.notices import services
from civicgrid.testing.browser import DEFAULT_PASSWORD, wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def board(users, tree, homes):
    notices = []
    for title in ["花墙片区征收补偿方案公告", "2026年社区项目遴选结果公示"]:
        notice = services.do_draft_notice(
            users["operator"],
            kind="announcement",
            scope_level="community",
            grid=tree["communities"][0],
            title=title,
            body=f"{title}正文。",
            department_name="街道办",
        )
        services.do_submit(users["operator"], notice)
        notices.append(services.do_publish(users["admin"], notice))
    project = services.do_save_relocation(
        None,
        name="花墙片区征收",
        community=tree["communities"][0],
        starts_on=datetime.date(2026, 1, 5),
    )
    home_a, home_b = homes
    services.do_add_relocation_households(
        None,
        project,
        [
            {"household": home_a, "recognised_area": "63.50", "valuation": "3150000"},
            {"household": home_b, "recognised_area": "48.20", "valuation": "2410000"},
        ],
    )
    services.do_sign(None, project.households.get(household=home_b), on=datetime.date(2026, 1, 6))
    return notices


def test_the_kiosk_rotates_its_live_notices(page, live_server, board, tree):
    # The kiosk rotates every 3 seconds here (12 on the street's screens).
    page.goto(f"{live_server.url}/notices/kiosk/{tree['communities'][0].pk}/?rotate=3")
    first = page.locator("#kiosk .slide.current h2").inner_text()
    assert first in {n.title for n in board}
    expect(page.locator("#kiosk .slide:visible")).to_have_count(1)
    assert "共2户，已签约1户，签约率50.0%" in page.locator("#relocations").inner_text()
    wait_until(
        page,
        f"document.querySelector('#kiosk .slide.current h2').textContent !== {first!r}",
        10_000,
    )
    assert page.locator("#counter").inner_text() == "2 / 2"
    page.keyboard.press("ArrowRight")
    assert page.locator("#kiosk .slide.current h2").inner_text() == first


def test_a_household_looks_up_its_own_relocation_figures(page, live_server, board, tree):
    page.goto(f"{live_server.url}/notices/kiosk/{tree['communities'][0].pk}/")
    page.click("#lookup")
    page.fill("input[name=username]", "resident")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.url.endswith("/notices/me/")
    own = page.locator(".own").inner_text()
    assert "63.50" in own and "3150000.00" in own and "未签约" in own
    assert "48.20" not in page.content()  # the neighbour's figures stay theirs
    assert "共2户，已签约1户，签约率50.0%" in page.locator("#totals").inner_text()
