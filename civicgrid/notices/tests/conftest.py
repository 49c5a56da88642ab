"""A small notice board for the tests: the clock at Monday 2026-11-23 10:00 (no published
calendar year: Monday–Friday are the working days); resident 陈敏 (`resident`) acts for household
A of micro-grid 0, 周燕 (`resident2`) for household B of micro-grid 0; a relocation project in
community 0 over both households."""

import datetime
from decimal import Decimal

import pytest


@pytest.fixture
def homes(users, households):
    from civicgrid.notices import services

    home_a, home_b = households[0]
    services.do_link_household(None, login=users["resident"], household=home_a)
    services.do_link_household(None, login=users["resident2"], household=home_b)
    return home_a, home_b


@pytest.fixture
def relocation(tree, homes, clock):
    from civicgrid.notices import services

    project = services.do_save_relocation(
        None,
        name="花墙片区征收",
        community=tree["communities"][0],
        starts_on=datetime.date(2026, 11, 1),
        headquarters="花墙动迁指挥部",
    )
    home_a, home_b = homes
    services.do_add_relocation_households(
        None,
        project,
        [
            {"household": home_a, "recognised_area": "63.50", "valuation": "3150000"},
            {"household": home_b, "recognised_area": "48.20", "valuation": Decimal("2410000.5")},
        ],
    )
    return project


@pytest.fixture
def draft(users, tree, clock):
    from civicgrid.notices import services

    return services.do_draft_notice(
        users["operator"],
        kind="disclosure",
        scope_level="street",
        grid=tree["street"],
        title="2026年社区项目遴选结果公示",
        body="共申报62个项目，择优推荐8个。",
        department_name="街道社区自治办",
    )
