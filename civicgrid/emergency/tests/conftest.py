"""A small flood-prone street for the tests: the flood plan with levels IV and III (III patrols
every high-risk point hourly and pre-positions 20 sandbags and 1 pump at each), high-risk points
in micro-grids 0 and 2 (worker, worker2 posted there), a low-risk one in micro-grid 1, a pump at
the first point, a store with 100 sandbags and 2 pumps; chief and dutyleader on the roster for
the day. The clock stands at Monday 2026-11-23 10:00."""

import datetime

import pytest

from civicgrid.testing.world import IN_MICRO, local


@pytest.fixture
def flood(users, tree, clock):
    from civicgrid.duty.choices import DutyRole
    from civicgrid.duty.services import do_add_shift
    from civicgrid.emergency import services

    micro = tree["micro_grids"]
    plan = services.do_save_plan(None, kind="flood", title="街道防汛应急预案")
    services.do_set_level_plan(None, plan, level="4", patrol_risk="1", patrol_every_minutes=180)
    services.do_set_level_plan(
        None,
        plan,
        level="3",
        patrol_risk="1",
        patrol_every_minutes=60,
        sandbags_per_point=20,
        pumps_per_point=1,
        instructions="领导带班，24小时值守",
    )
    services.do_set_level_plan(None, plan, level="2", patrol_risk="2", patrol_every_minutes=30)
    points = [
        services.do_save_point(
            None,
            name="秀沿小区",
            kind="estate",
            micro_grid=micro[0],
            lon=IN_MICRO[0][0],
            lat=IN_MICRO[0][1],
            risk="1",
            households=320,
        ),
        services.do_save_point(
            None,
            name="康花路下立交",
            kind="underpass",
            micro_grid=micro[2],
            lon=IN_MICRO[2][0],
            lat=IN_MICRO[2][1],
            risk="1",
        ),
        services.do_save_point(None, name="沪南路口", kind="road", micro_grid=micro[1], risk="3"),
    ]
    pump = services.do_add_work(
        None, points[0], kind="pump", name="秀沿小区强排泵站", state="ready", capacity=800
    )
    services.do_add_work(None, points[0], kind="enclosure", name="秀沿小区小包围", state="building")
    store = services.do_save_store(None, name="街道防汛仓库")
    services.do_move_stock(None, store, supply="sandbag", change=100, reason="入库")
    services.do_move_stock(None, store, supply="pump", change=2, reason="入库")
    day = local(2026, 11, 23, 8)
    for user, role in (
        (users["chief"], DutyRole.SHIFT_CHIEF),
        (users["dutyleader"], DutyRole.DUTY_LEADER),
    ):
        do_add_shift(
            None, user=user, role=role, starts_at=day, ends_at=day + datetime.timedelta(hours=12)
        )
    return {"plan": plan, "points": points, "pump": pump, "store": store}


@pytest.fixture
def record_drill(users, clock):
    """`record_drill(**fields)`: a drill recorded by the 值班长 — a flood drill at 秀沿小区 today,
    `fields` changing or adding to that."""
    from civicgrid.emergency import services

    def record(**fields):
        drill = {"kind": "flood", "title": "秀沿小区防汛演练", "held_on": clock.at.date()}
        return services.do_record_drill(users["chief"], **(drill | {"place": "秀沿小区"} | fields))

    return record
