"""The demo's estates: 4–8 per 居村, every address in a range matched, and 普育里's figures."""

import pytest

from civicgrid.demo.estates import build_demo_estates
from civicgrid.estates.models import Estate
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.registry.models import Address
from civicgrid.registry.services import grid_figures

pytestmark = pytest.mark.django_db


def test_demo_estates(small_demo):
    counts = build_demo_estates(seed=7)
    for community in Grid.objects.filter(level=GridLevel.COMMUNITY):
        assert 4 <= community.estates.exclude(name="普育里").count() <= 8
    assert counts["estate"] == Estate.objects.exclude(name="普育里").count()
    # Every demo address with a lane lies in one of its 居村's estates.
    laned = Address.objects.exclude(lane="")
    assert laned.exists() and not laned.filter(estate__isnull=True).exists()
    assert not laned.exclude(estate__community=models_parent()).exists()

    puyuli = Estate.objects.get(name="普育里")
    assert (puyuli.year_built, puyuli.is_heritage, puyuli.heritage_note) == (
        1867,
        True,
        "不可移动文物",
    )
    households = puyuli.addresses.values("households").count()
    assert households == 213
    figures = grid_figures(puyuli.community)
    assert figures["by_tenure"]["public_rent"] >= 77
    from civicgrid.registry.models import Household, Resident

    mine = Household.objects.filter(address__estate=puyuli)
    assert mine.filter(tenure="public_rent").count() == 77
    assert mine.filter(tenure="sold_public").count() == 136
    people = Resident.objects.filter(household__in=mine)
    assert people.filter(is_registered=True).count() == 663
    assert people.filter(lives_here=True).count() == 450
    # Run again: nothing doubles.
    build_demo_estates(seed=7)
    assert Estate.objects.filter(name="普育里").count() == 1


def models_parent():
    from django.db.models import F

    return F("micro_grid__parent")
