"""A small street front for the shop tests: block A in community 0 (包干责任人 worker, deputy
colleague) with three shops, block B in community 1 (worker2) with one shop."""

import pytest
from stdnum.cn import uscc

from civicgrid.testing.world import IN_MICRO


def credit_code(n: int) -> str:
    """A valid 统一社会信用代码 (个体工商户, 浦东) numbered n."""
    base = f"92310115MA{n:07d}"
    return base + uscc.calc_check_digit(base)


@pytest.fixture
def front(users, tree, clock):
    from civicgrid.shops import services

    a = services.do_save_block(
        None,
        code="KQ-01",
        name="秀沿路东段",
        community=tree["communities"][0],
        responsible=users["worker"],
        deputy=users["colleague"],
        geometry={"type": "LineString", "coordinates": [[121.501, 31.105], [121.509, 31.105]]},
    )
    b = services.do_save_block(
        None,
        code="KQ-02",
        name="康花路",
        community=tree["communities"][1],
        responsible=users["worker2"],
    )
    lon, lat = IN_MICRO[0]
    shops = [
        services.do_register_shop(
            None,
            block=a,
            sign_name=name,
            address=f"秀沿路{n}号",
            trade=trade,
            lon=lon,
            lat=lat,
            credit_code=credit_code(n),
            operator_name="王建国",
            operator_phone="13912340000",
        )
        for n, (name, trade) in enumerate(
            [("阿强面馆", "catering"), ("好又多超市", "retail"), ("美美发廊", "hair")], start=1
        )
    ]
    other = services.do_register_shop(
        None, block=b, sign_name="康花水果", address="康花路8号", trade="fresh"
    )
    return {"a": a, "b": b, "shops": shops, "other": other}
