"""Every role lands on a working start page, and every entry of its menu opens for it."""

import pytest
from django.urls import reverse

from civicgrid.accounts.choices import Role
from civicgrid.web.navigation import ANONYMOUS_MENU, HOME_BY_ROLE, MENU_BY_ROLE, menu_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(users):
    """One of the kit's users per role (grid staff on micro-grids 0 and 1, staff of community 0)."""
    return {
        Role.ADMIN: users["admin"],
        Role.OPERATOR: users["operator"],
        Role.SHIFT_CHIEF: users["chief"],
        Role.DUTY_LEADER: users["dutyleader"],
        Role.AREA_HEAD: users["areahead"],
        Role.LEADER: users["leader"],
        Role.RESIDENT: users["resident"],
        Role.COMMUNITY_STAFF: users["staff"],
        Role.DEPT_HANDLER: users["handler"],
        Role.GRID_LEADER: users["gridhead"],
        Role.GRID_WORKER: users["worker"],
    }


def test_login_sends_each_role_to_its_start_page_and_it_opens(client, people):
    assert set(people) == set(HOME_BY_ROLE)
    for role, user in people.items():
        response = client.post("/login/", {"username": user.username, "password": "pw-123456"})
        assert response.status_code == 302, role
        assert response["Location"] == reverse(HOME_BY_ROLE[role]), role
        # "/" again: the same start page, and it works for this role.
        assert client.get("/")["Location"] == reverse(HOME_BY_ROLE[role])
        assert client.get(reverse(HOME_BY_ROLE[role])).status_code == 200, role
        client.post("/logout/")


def test_every_menu_entry_opens_for_its_role(client, people):
    for role, entries in MENU_BY_ROLE.items():
        client.force_login(people[role])
        for _label, name in entries:
            response = client.get(reverse(name))
            assert response.status_code == 200, (role, name, response.status_code)
        client.logout()
    for _label, name in ANONYMOUS_MENU:
        assert client.get(reverse(name)).status_code == 200, name


def test_the_longest_matching_menu_entry_is_the_current_one(people):
    resident = people[Role.RESIDENT]

    def active(path):
        # The resident's menu grows with the programmes (共享停车 …): name the active entry.
        return [item["url"] for item in menu_for(resident, path) if item["active"]]

    assert active(reverse("public:report") + "done/abc/") == [reverse("public:report")]
    assert active(reverse("public:home")) == [reverse("public:home")]
    assert active(reverse("parking:me")) == [reverse("parking:me")]


def test_a_foreign_next_is_ignored(client, people):
    user = people[Role.OPERATOR]
    data = {"username": user.username, "password": "pw-123456", "next": "https://evil.example.com/"}
    response = client.post("/login/", data)
    assert response["Location"] == reverse(HOME_BY_ROLE[Role.OPERATOR])
