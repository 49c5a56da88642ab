"""A small time bank for the tests: project 助餐 in community 0 (coordinator: staff, the 居委),
project 理发 in community 1 (staff2); volunteer 陈敏 (resident account `resident`) is a registry
resident of household A (micro-grid 0), with an 80-year-old grandmother 王桂英 in household B as a
declared relative; an outside volunteer 李华 in community 0. The clock stands at Monday
2026-11-23 10:00."""

import datetime

import pytest

from civicgrid.testing.world import local


@pytest.fixture
def bank(users, tree, households, clock):
    from civicgrid.registry.models import Resident
    from civicgrid.timebank import services

    communities = tree["communities"]
    meals = services.do_save_project(
        None,
        name="助餐",
        kind="meals",
        community=communities[0],
        coordinator=users["staff"],
        started_on=datetime.date(2025, 1, 1),
    )
    haircut = services.do_save_project(
        None,
        name="理发",
        kind="haircut",
        community=communities[1],
        coordinator=users["staff2"],
        started_on=datetime.date(2025, 1, 1),
    )
    home_a, home_b = households[0]
    me = home_a.residents.first()
    housemate = home_a.residents.last()
    grandma = home_b.residents.first()
    Resident.objects.filter(pk=grandma.pk).update(
        name="王桂英", birth_date=datetime.date(1946, 5, 1), id_number=""
    )
    grandma.refresh_from_db()
    Resident.objects.filter(pk=me.pk).update(birth_date=datetime.date(1990, 6, 1), id_number="")
    me.refresh_from_db()
    young = home_b.residents.last()
    Resident.objects.filter(pk=young.pk).update(birth_date=datetime.date(1970, 1, 1), id_number="")
    young.refresh_from_db()
    volunteer = services.do_register_volunteer(
        None,
        community=communities[0],
        joined_on=datetime.date(2025, 3, 1),
        resident=me,
        skills=["理发"],
        login=users["resident"],
    )
    outsider = services.do_register_volunteer(
        None,
        community=communities[0],
        joined_on=datetime.date(2025, 3, 1),
        name="李华",
        phone="13700002222",
        double_report=True,
        unit="区卫健委",
    )
    account = services.person_account(volunteer=volunteer)
    services.do_declare_relative(None, account, grandma, "祖母")
    return {
        "meals": meals,
        "haircut": haircut,
        "volunteer": volunteer,
        "outsider": outsider,
        "account": account,
        "me": me,
        "housemate": housemate,
        "grandma": grandma,
        "young": young,
        "communities": communities,
    }


def serve(bank, hours_ago=3, minutes=90, volunteer=None, **extra):
    """A submitted record of `minutes` that ended `hours_ago` hours before the clock's now."""
    from civicgrid.timebank import services

    end = local(2026, 11, 23, 10) - datetime.timedelta(hours=hours_ago)
    fields = {
        "volunteer": volunteer or bank["volunteer"],
        "project": bank["meals"],
        "started_at": end - datetime.timedelta(minutes=minutes),
        "ended_at": end,
        "recipient": bank["grandma"],
        "confirmation": "王桂英",
    }
    fields.update(extra)
    return services.do_record_service(None, **fields)
