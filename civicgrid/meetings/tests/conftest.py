"""A hearing in community 0 (planned by 居委 staff) with its participants: the host, a recorder,
five 居民代表 (the first with the resident's account) and the 物业."""

import datetime

import pytest


@pytest.fixture
def hearing(users, tree, clock):
    from civicgrid.meetings import services
    from civicgrid.meetings.choices import Part

    starts = clock.at + datetime.timedelta(days=10)
    meeting = services.do_plan_meeting(
        users["staff"],
        kind="hearing",
        community=tree["communities"][0],
        title="问题角改建花卉园",
        starts_at=starts,
        place="居委会议室",
        subject_title="问题角改建项目",
        chair_name="李书记",
    )
    people = {
        "host": services.do_add_participant(
            users["staff"], meeting, part=Part.HOST, name="李书记", account=users["staff"]
        ),
        "recorder": services.do_add_participant(
            users["staff"], meeting, part=Part.RECORDER, name="记录员"
        ),
        "reps": [
            services.do_add_participant(
                users["staff"],
                meeting,
                part=Part.REPRESENTATIVE,
                name=f"代表{n}",
                account=users["resident"] if n == 1 else None,
            )
            for n in range(1, 6)
        ],
        "property": services.do_add_participant(
            users["staff"], meeting, part=Part.PROPERTY, name="物业经理", organisation="某物业"
        ),
    }
    return {"meeting": meeting, "starts": starts, **people}


@pytest.fixture
def held(hearing, users, clock):
    """The hearing noticed, its day come, four of five representatives signed in, and held."""
    from civicgrid.meetings import services

    services.do_notice_meeting(users["staff"], hearing["meeting"])
    clock.move_to(hearing["starts"])
    for rep in hearing["reps"][:4]:
        services.do_tick_sign_in(users["staff"], rep)
    services.do_hold_meeting(users["staff"], hearing["meeting"])
    hearing["meeting"].refresh_from_db()
    return hearing
