"""Audience rules: public notices for everyone, a relocation's totals for every affected
household signed in, a household's own 面积认定 and 评估 for that household alone."""

import datetime

import pytest

from civicgrid.notices import generate, services
from civicgrid.notices.models import Notice, RelocationHousehold

pytestmark = pytest.mark.django_db


@pytest.fixture
def progress(users, relocation, homes, clock):
    home_a, _home_b = homes
    services.do_sign(
        users["staff"], relocation.households.get(household=home_a), on=datetime.date(2026, 11, 20)
    )
    notice = generate.relocation_progress(
        users["staff"], relocation, department_name="花墙动迁指挥部"
    )
    return services.do_publish(users["admin"], notice)


def test_a_household_sees_only_its_own_relocation_figures(users, relocation, homes, client_for):
    page = client_for(users["resident"]).get("/notices/me/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "共2户，已签约0户，签约率0.0%" in text
    assert "63.50" in text and "3150000.00" in text  # its own
    assert "48.20" not in text and "2410000.50" not in text  # the neighbour's
    other = client_for(users["resident2"]).get("/notices/me/").content.decode()
    assert "48.20" in other and "63.50" not in other


def test_relocation_figures_need_a_signed_in_household(users, relocation, client, client_for):
    assert client.get("/notices/me/").status_code == 302  # to the login page
    page = client_for(users["staff"]).get("/notices/me/")
    assert page.status_code == 403
    assert services.my_relocations(users["operator"]) == []


def test_the_progress_notice_reaches_the_affected_households_only(
    users, progress, client, client_for, tree, households
):
    from civicgrid.notices.models import HouseholdLogin

    assert "共涉及2户，截至目前已签约1户，签约率50.0%。" in progress.body
    assert client.get(f"/notices/{progress.pk}/").status_code == 302
    assert client_for(users["resident"]).get(f"/notices/{progress.pk}/").status_code == 200
    # A resident of another household (not in the project) does not see it.
    HouseholdLogin.objects.filter(user=users["resident2"]).delete()
    services.do_link_household(None, login=users["resident2"], household=households[1][0])
    assert client_for(users["resident2"]).get(f"/notices/{progress.pk}/").status_code == 404
    assert progress not in services.shown_notices(users["resident2"])
    assert progress not in services.shown_notices(None)


def test_residents_of_the_scope_see_a_residents_notice(users, tree, homes, households, client_for):
    notice = services.do_draft_notice(
        users["staff"],
        kind="announcement",
        scope_level="community",
        grid=tree["communities"][0],
        audience="residents",
        title="楼道堆物清理通知",
        body="本周六统一清理。",
        department_name="第1居委",
    )
    services.do_submit(users["staff"], notice)
    services.do_publish(users["admin"], notice)
    assert notice in services.shown_notices(users["resident"])
    assert notice not in services.shown_notices(None)
    from civicgrid.notices.models import HouseholdLogin

    HouseholdLogin.objects.filter(user=users["resident2"]).delete()
    services.do_link_household(None, login=users["resident2"], household=households[2][0])
    assert notice not in services.shown_notices(users["resident2"])  # community 1


def test_signing_rate_over_time_and_100_percent(users, relocation, homes):
    home_a, home_b = homes
    services.do_sign_many(
        users["staff"],
        relocation,
        {home_a.pk: datetime.date(2026, 11, 3), home_b.pk: datetime.date(2026, 11, 9)},
    )
    figures = services.signing_figures(relocation)
    assert figures["cleared"] is True
    assert [(p["on"], p["signed"], p["rate"]) for p in figures["series"]] == [
        (datetime.date(2026, 11, 3), 1, 50.0),
        (datetime.date(2026, 11, 9), 2, 100.0),
    ]


def test_bad_relocation_input_is_refused_with_nothing_saved(users, relocation, homes, households):
    from django.core.exceptions import ValidationError

    before = RelocationHousehold.objects.count()
    with pytest.raises(ValidationError) as error:
        services.do_add_relocation_households(
            users["staff"],
            relocation,
            [
                {"household": households[1][0], "recognised_area": "50", "valuation": "100"},
                {"household": households[1][1], "recognised_area": "-3", "valuation": "abc"},
            ],
        )
    assert set(error.value.message_dict) == {"rows.1.recognised_area", "rows.1.valuation"}
    assert RelocationHousehold.objects.count() == before
    rh = relocation.households.first()
    with pytest.raises(ValidationError):
        services.do_sign(users["staff"], rh, on=datetime.date(2026, 10, 1))  # before the start
    rh.refresh_from_db()
    assert rh.status == "pending" and rh.signed_on is None
    assert Notice.objects.count() == 0
