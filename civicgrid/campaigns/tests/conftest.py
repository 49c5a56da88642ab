"""A small 文明城区 campaign for the tests: three 小区 items and two 背街小巷 items; checkpoints
A and B (小区, community 0), C (小区, community 1) and D (背街小巷, community 0); inspectors worker
(王秀英) and worker2 (刘洋)."""

import datetime

import pytest

from civicgrid.testing.world import IN_MICRO


@pytest.fixture
def campaign(users, tree, clock):
    from civicgrid.campaigns import services

    c = services.do_save_campaign(
        None,
        name="全国文明城区创评",
        level="national",
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2027, 3, 31),
        review_on=datetime.date(2026, 12, 20),
        target_percent=80,
    )
    items = {
        "estate": [
            services.do_save_item(None, c, kind="estate", name=name, order=n)
            for n, name in enumerate(["垃圾分类规范", "楼道无堆物", "公益广告张贴"], start=1)
        ],
        "back_lane": [
            services.do_save_item(None, c, kind="back_lane", name=name, order=n)
            for n, name in enumerate(["路面整洁", "无乱设摊"], start=1)
        ],
    }
    communities = tree["communities"]
    checkpoints = [
        services.do_save_checkpoint(
            None,
            c,
            kind=kind,
            name=name,
            address=f"康桥路{n}号",
            lon=point[0],
            lat=point[1],
            community=community,
            owner_kind=owner_kind,
            owner_name=owner,
        )
        for n, (kind, name, point, community, owner_kind, owner) in enumerate(
            [
                ("estate", "A 康桥半岛", IN_MICRO[0], communities[0], "property", "绿城物业"),
                ("estate", "B 秀沿小区", IN_MICRO[1], communities[0], "property", "万科物业"),
                ("estate", "C 康花新村", IN_MICRO[2], communities[1], "community", "康花居委"),
                ("back_lane", "D 秀浦路", IN_MICRO[0], communities[0], "department", "城管中队"),
            ],
            start=1,
        )
    ]
    return {"campaign": c, "items": items, "checkpoints": checkpoints}


def all_pass(items):
    return {item.pk: {"passed": True} for item in items}


def failing(items, *names, note="楼道堆放杂物"):
    return {
        item.pk: ({"passed": False, "note": note} if item.name in names else {"passed": True})
        for item in items
    }
