"""A small party tree on the test kit's street (1 area, 2 居委 of 2 micro-grids each): the town
党委 on the street, a 总支 for each 居委, a 党小组 for micro-grids 0–2 (micro-grid 3 has none),
a member each, and `gridhead` (张建国, 网格长 of micro-grids 0 and 1) as the head of micro-grid
0's group. The clock stands at 2026-11-23 10:00."""

import datetime

import pytest


@pytest.fixture
def party(users, tree, clock):
    from civicgrid.party import services

    clock.set(2026, 11, 23, 10, 0)
    start = datetime.date(2020, 1, 1)
    town = services.do_save_organisation(
        {
            "name": "中共测试街道委员会",
            "short_name": "街道党工委",
            "level": "committee",
            "sector": "organ",
            "grid": tree["street"],
            "started_on": start,
        }
    )
    branches = []
    for community in tree["communities"]:
        branches.append(
            services.do_save_organisation(
                {
                    "name": f"中共测试街道{community.name}总支部委员会",
                    "short_name": f"{community.name}党总支",
                    "level": "general_branch",
                    "sector": "residential",
                    "parent": town,
                    "grid": community,
                    "started_on": start,
                }
            )
        )
    groups = []
    for i, micro in enumerate(tree["micro_grids"][:3]):
        groups.append(
            services.do_save_organisation(
                {
                    "name": f"{micro.name}党小组",
                    "short_name": f"{micro.name}党小组",
                    "level": "group",
                    "sector": "residential",
                    "parent": branches[i // 2],
                    "grid": micro,
                    "started_on": start,
                }
            )
        )
    head = services.do_register_member(
        groups[0],
        {"name": "张建国", "phone": "13911112222", "staff": users["gridhead"].staff_member},
    )
    services.do_set_secretary(groups[0], head)
    return {"town": town, "branches": branches, "groups": groups, "head": head}
