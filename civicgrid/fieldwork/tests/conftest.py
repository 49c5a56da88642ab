"""Fixtures of the phone pages' tests: the small tree of civicgrid.testing.factories, grid staff
with posts, households with residents, cases moved through cases.services, photos."""

import datetime
import io
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from civicgrid.accounts.choices import Role
from civicgrid.cases import services as cases
from civicgrid.cases.models import Category
from civicgrid.cases.notifications import MemoryChannel
from civicgrid.grids.choices import PostRole
from civicgrid.registry.choices import CareTag, HousingType
from civicgrid.registry.models import Address, Household, Resident
from civicgrid.registry.validators import id_check_char
from civicgrid.testing.factories import DepartmentFactory, UserFactory, assign_post, make_tree

# Points inside make_tree()'s micro-grids (2 communities side by side, 2 micro-grids each, N→S).
IN_MICRO = [(121.505, 31.1075), (121.505, 31.1025), (121.515, 31.1075), (121.515, 31.1025)]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = [
    "秀英",
    "桂英",
    "建国",
    "国强",
    "志明",
    "丽华",
    "海燕",
    "振华",
    "美玲",
    "文杰",
    "晓东",
    "玉兰",
]
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def outbox(settings):
    settings.CIVICGRID_NOTIFICATION_CHANNELS = ["civicgrid.cases.notifications.MemoryChannel"]
    MemoryChannel.outbox = []
    return MemoryChannel.outbox


@pytest.fixture
def tree(db):
    return make_tree()


@pytest.fixture
def users(tree):
    """worker: micro-grid 0; worker2: micro-grid 2 (the other community); gridleader: 网格长 of
    micro-grids 0 and 1; staff: community 0 (micro-grids 0, 1); former: an ended post on 0."""
    micro = tree["micro_grids"]
    worker = UserFactory(
        username="worker", role=Role.GRID_WORKER, last_name="王", first_name="秀英"
    )
    assign_post(worker, micro[0])
    worker2 = UserFactory(
        username="worker2", role=Role.GRID_WORKER, last_name="李", first_name="强"
    )
    assign_post(worker2, micro[2])
    colleague = UserFactory(
        username="colleague", role=Role.GRID_WORKER, last_name="陈", first_name="丽"
    )
    assign_post(colleague, micro[0], role=PostRole.PART_TIME)
    leader = UserFactory(
        username="gridleader", role=Role.GRID_LEADER, last_name="张", first_name="建国"
    )
    assign_post(leader, micro[0], role=PostRole.LEADER)
    assign_post(leader, micro[1], role=PostRole.LEADER)
    former = UserFactory(username="former", role=Role.GRID_WORKER)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assign_post(former, micro[0], start=datetime.date(2020, 1, 1), end=yesterday)
    return {
        "worker": worker,
        "worker2": worker2,
        "colleague": colleague,
        "gridleader": leader,
        "former": former,
        "staff": UserFactory(
            username="staff", role=Role.COMMUNITY_STAFF, community=tree["communities"][0]
        ),
        "operator": UserFactory(username="operator", role=Role.OPERATOR),
        "handler": UserFactory(
            username="handler", role=Role.DEPT_HANDLER, department=DepartmentFactory()
        ),
        "resident": UserFactory(username="resident", role=Role.RESIDENT),
    }


def make_id(birth: datetime.date, seq: int) -> str:
    first17 = f"310115{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + id_check_char(first17)


def add_household(building_group, number, *, residents=2, road="秀沿路", lane="1501"):
    address = Address.objects.create(
        road=road,
        lane=lane,
        number=str(number),
        room="301",
        building_group=building_group,
    )
    household = Household.objects.create(address=address, housing_type=HousingType.COMMERCIAL)
    for i in range(residents):
        n = next(_seq)
        birth = datetime.date(1950 + n % 40, 1 + n % 12, 1 + n % 28)
        Resident.objects.create(
            household=household,
            name=SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)],
            gender="M" if n % 2 else "F",
            birth_date=birth,
            id_number=make_id(birth, n),
            phone=f"1391234{n:04d}",
            relation_to_head="户主" if i == 0 else "配偶",
            care_tags=[CareTag.ELDERLY_ALONE] if n % 5 == 0 else [],
        )
    return household


@pytest.fixture
def households(tree):
    """Two households in each micro-grid's first building group: micro-grid i holds numbers
    10*i+1 and 10*i+2 of 秀沿路1501弄."""
    out = {}
    groups = tree["building_groups"]
    for i in range(len(tree["micro_grids"])):
        bg = groups[i * 2]
        out[i] = [add_household(bg, 10 * i + 1), add_household(bg, 10 * i + 2)]
    return out


def category(family="community", code="0101") -> Category:
    return Category.objects.get(family=family, code=code)


def grid_case(reporter, point=IN_MICRO[0], *, until="dispatched", operator, handler=None, cat=None):
    """A case in a micro-grid, dispatched to the grid itself, then moved on as far as `until`
    (dispatched, accepted, handled) through cases.services."""
    case = cases.do_report(
        user=reporter,
        category=cat or category(),
        description="3号楼楼道堆放纸箱、旧家具,堵塞通道",
        lon=point[0],
        lat=point[1],
    ).case
    cases.do_file(case, operator)
    cases.do_dispatch(case, operator, to_grid=True)
    if until in ("accepted", "handled"):
        cases.do_accept(case, handler or reporter)
    if until == "handled":
        cases.do_handle(case, handler or reporter, result="已联系居民清理,楼道恢复通畅")
    case.refresh_from_db()
    return case


def png(name="photo.png", size=(40, 30), color=(200, 80, 40)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def not_an_image(name="notes.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"this is not a picture", content_type="image/jpeg")


@pytest.fixture
def client_for(client):
    def make(user):
        client.force_login(user)
        return client

    return make
