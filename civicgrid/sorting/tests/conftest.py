"""A small garbage-sorting world on the kit's tree: two estates (community 0 with its 物业,
community 1), a bin room in use at the first with the usual two windows, a volunteer guide who
signs in with the resident account, households (the kit's) assigned to the estates."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from civicgrid.estates.models import Estate, PropertyCompany
from civicgrid.registry.models import Address, Household
from civicgrid.sorting import services
from civicgrid.sorting.choices import GuideKind, PointKind, PointState


def photo(name="bin.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (30, 160, 60)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), "image/png")


@pytest.fixture
def world(tree, users, households):
    communities, micro = tree["communities"], tree["micro_grids"]
    company = PropertyCompany.objects.create(name="康桥物业管理有限公司")
    east = Estate.objects.create(name="康乐苑", community=communities[0], property_company=company)
    east.micro_grids.set([micro[0], micro[1]])
    west = Estate.objects.create(name="秀康新村", community=communities[1])
    west.micro_grids.set([micro[2], micro[3]])
    Address.objects.filter(micro_grid__in=[micro[0], micro[1]]).update(estate=east)
    Address.objects.filter(micro_grid__in=[micro[2], micro[3]]).update(estate=west)
    point = services.do_save_point(
        None,
        estate=east,
        name="康乐苑1号箱房",
        kind=PointKind.ROOM,
        lon=121.505,
        lat=31.105,
        households_served=120,
        bins_recyclable=1,
        bins_hazardous=1,
        bins_wet=2,
        bins_dry=2,
    )
    services.do_set_windows(point, None, [("07:00", "09:00"), ("18:00", "20:00")])
    point = services.do_change_point_state(point, None, PointState.IN_USE)
    team = services.do_save_team(None, name="康乐苑志愿者服务队", community=communities[0])
    guide = services.do_save_guide(
        None,
        name="陈敏",
        kind=GuideKind.VOLUNTEER,
        community=communities[0],
        team=team,
        account=users["resident"],
    )
    return {
        "east": east,
        "west": west,
        "company": company,
        "point": point,
        "team": team,
        "guide": guide,
        "households": {
            i: [Household.objects.select_related("address").get(pk=h.pk) for h in homes]
            for i, homes in households.items()
        },
        "today": datetime.date(2026, 11, 23),
    }
