"""factory_boy factories and a small grid tree shared by every app's tests."""

import datetime

import factory

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import Department, User
from civicgrid.grids.choices import GridLevel, PostRole
from civicgrid.grids.models import Grid, GridPost, StaffMember


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"部门{n}")
    code = factory.Sequence(lambda n: f"D{n:03d}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.OPERATOR
    password = factory.PostGenerationMethodCall("set_password", "pw-123456")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    name = factory.Sequence(lambda n: f"网格员{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")


def rect(x0, y0, x1, y1):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def make_tree(
    communities=2, micro_per_community=2, groups_per_micro=2, origin=(121.5, 31.1), size=0.01
):
    """A street tiled by rectangles: 1 area, `communities` side by side (west→east), each split
    into `micro_per_community` micro-grids stacked north→south, each split into building groups.

    Returns a dict: street, area, communities[], micro_grids[], building_groups[].
    """
    x0, y0 = origin
    width = size * communities
    height = size
    street = Grid.objects.create(
        name="测试街道",
        level=GridLevel.STREET,
        number=125,
        county_code="310115",
        geometry=rect(x0, y0, x0 + width, y0 + height),
    )
    area = Grid.objects.create(
        name="第一片区", level=GridLevel.AREA, number=1, parent=street, geometry=street.geometry
    )
    out = {
        "street": street,
        "area": area,
        "communities": [],
        "micro_grids": [],
        "building_groups": [],
    }
    for c in range(communities):
        cx0 = x0 + c * size
        community = Grid.objects.create(
            name=f"第{c + 1}居委",
            level=GridLevel.COMMUNITY,
            number=c + 1,
            parent=area,
            geometry=rect(cx0, y0, cx0 + size, y0 + height),
        )
        out["communities"].append(community)
        step = height / micro_per_community
        for m in range(micro_per_community):
            top = y0 + height - m * step
            micro = Grid.objects.create(
                name=f"{community.name}第{m + 1}网格",
                level=GridLevel.MICRO_GRID,
                number=m + 1,
                parent=community,
                geometry=rect(cx0, top - step, cx0 + size, top),
                party_organisation=f"{community.name}第{m + 1}党小组",
            )
            out["micro_grids"].append(micro)
            gstep = size / groups_per_micro
            for g in range(groups_per_micro):
                out["building_groups"].append(
                    Grid.objects.create(
                        name=f"{micro.name}{g + 1}楼组",
                        level=GridLevel.BUILDING_GROUP,
                        number=g + 1,
                        parent=micro,
                        geometry=rect(cx0 + g * gstep, top - step, cx0 + (g + 1) * gstep, top),
                    )
                )
    return out


def assign_post(user, micro_grid, role=PostRole.FULL_TIME, start=None, end=None):
    staff = getattr(user, "staff_member", None)
    if staff is None:
        staff = StaffMemberFactory(name=user.username, user=user)
    return GridPost.objects.create(
        micro_grid=micro_grid,
        staff=staff,
        role=role,
        start_date=start or datetime.date(2020, 1, 1),
        end_date=end,
    )
