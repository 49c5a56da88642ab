"""The demo street's street-shop roll (沿街商铺, seed 002) and 门责 inspections (seed 003).

"全镇共划分37个沿街商铺区块，实行包干责任人负责制，每半月更新覆盖一次": 37 blocks along the demo
roads (each a road of a 居村, cut into 东段/西段 when a road carries two), about 600 shops, the
three self-discipline associations (中邦商业街, 康桥半岛商业街, 周康商业街) with their 257 members,
twelve half-months of refresh rounds by each block's 包干责任人 (the 居委's staff login; the
`gridworker` login for a block of its own 居村) with two missed and one overdue now,
a few state changes and closures, and three months of 门责 inspections where failed items became
cases and most were re-inspected in time.

Everything goes through civicgrid.shops.services; the same seed gives the same street front.
"""

import datetime
import random
from collections import Counter, defaultdict

from django.db import transaction
from django.utils import timezone
from stdnum.cn import uscc

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import User
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.registry.models import Address
from civicgrid.shops import services
from civicgrid.shops.choices import ShopState, Trade
from civicgrid.shops.models import Block, InspectionItem
from civicgrid.shops.workflow import TRANSITIONS

DEFAULT_BLOCKS = 37
DEFAULT_SHOPS = 600
DEFAULT_HALVES = 12
INSPECTED_MONTHS = 3
# Seed 002: "中邦商业街、康桥半岛商业街和周康商业街…涉及257家商铺".
ASSOCIATIONS = (("中邦商业街", 95), ("康桥半岛商业街", 87), ("周康商业街", 75))
CONVENTION = (
    "一、门前环境整洁，落实门责；二、不跨门营业、不店外经营；三、店招店牌规范安全；"
    "四、垃圾分类定时定点投放；五、诚信经营，明码标价。"
)
SIGNS = {
    Trade.CATERING: ["面馆", "小吃", "饺子馆", "馄饨店", "烧烤", "茶餐厅", "包子铺", "快餐"],
    Trade.RETAIL: ["便利店", "超市", "烟杂店", "五金店", "文具店", "服装店", "鞋店"],
    Trade.FRESH: ["水果店", "生鲜店", "熟食店", "豆制品店", "鲜肉店"],
    Trade.HAIR: ["发廊", "美发", "理发店"],
    Trade.REPAIR: ["修车铺", "家电维修", "修鞋配钥匙", "手机维修"],
    Trade.SERVICES: ["洗衣店", "快递驿站", "彩票站", "打印社"],
    Trade.PHARMACY: ["大药房", "药店"],
    Trade.OTHER: ["中介", "棋牌室"],
}
TRADE_WEIGHTS = {
    Trade.CATERING: 30,
    Trade.RETAIL: 25,
    Trade.FRESH: 10,
    Trade.HAIR: 8,
    Trade.REPAIR: 8,
    Trade.SERVICES: 10,
    Trade.PHARMACY: 4,
    Trade.OTHER: 5,
}
SURNAMES = "王李张陈刘杨黄周吴徐沈陆顾"
GIVEN = "建国 秀英 伟 芳 磊 敏 强 丽 军 静".split()
PREFIXES = "阿强 好又多 老王 康乐 福满 金桥 佳佳 鑫源 永盛 红梅 小杨 周记 兴旺 百姓 家家乐 万福 阿婆 顺心 惠民 美美".split()
FAIL_NOTES = {
    "门前整洁": "门前地面油污，有散落垃圾",
    "无跨门营业": "桌椅摆到人行道上经营",
    "门前无堆物": "门前堆放纸箱和货物",
    "店招店牌规范": "店招破损，有坠落隐患",
    "垃圾分类": "湿垃圾混投，桶边散落",
    "无乱张贴": "卷帘门上贴有小广告",
}


def credit_code(rng: random.Random, n: int) -> str:
    """A valid 统一社会信用代码 of a 浦东 个体工商户, unique by `n`."""
    base = f"92310115MA{n:05d}" + "".join(
        rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(2)
    )
    return base + uscc.calc_check_digit(base)


def _at(day: datetime.date, rng: random.Random, hours=(9, 17)) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(
            day, datetime.time(rng.randrange(*hours), rng.randrange(60), rng.randrange(60))
        )
    )


def _segments(rng, count):
    """(community, road, micro-grids) for `count` blocks, from the registry's roads."""
    pairs = defaultdict(set)
    for community_id, road, micro_id in (
        Address.objects.filter(micro_grid__isnull=False)
        .values_list("micro_grid__parent_id", "road", "micro_grid_id")
        .distinct()
    ):
        if road and not road.endswith("组"):
            pairs[(community_id, road)].add(micro_id)
    keys = sorted(pairs)
    rng.shuffle(keys)
    out = []
    sides = ("东段", "西段", "中段", "南段", "北段")
    for n in range(count):
        community_id, road = keys[n % len(keys)]
        side = sides[(n // len(keys)) % len(sides)] if len(keys) < count else ""
        out.append((community_id, road + side, road, sorted(pairs[(community_id, road)])))
    return out


def _people(communities):
    """The 包干责任人 of each 居村: its 居委 staff login; the grid worker login for its own 居村."""
    staff = {
        u.community_id: u
        for u in User.objects.filter(role=Role.COMMUNITY_STAFF, community__in=communities).order_by(
            "username"
        )
    }
    worker = User.objects.filter(username="gridworker").first()
    worker_community = None
    if worker is not None:
        member = getattr(worker, "staff_member", None)
        post = member.posts.select_related("micro_grid").first() if member else None
        if post is not None and post.micro_grid_id:
            worker_community = post.micro_grid.parent_id
    fallback = User.objects.filter(role=Role.ADMIN).order_by("pk").first()
    return staff, worker, worker_community, fallback


def build_demo_shops(
    seed: int = 2023,
    now: datetime.datetime | None = None,
    blocks: int = DEFAULT_BLOCKS,
    shops: int = DEFAULT_SHOPS,
    halves: int = DEFAULT_HALVES,
) -> Counter:
    """Returns counts (block, shop, member, round, late, inspection, case …). Running it twice
    adds nothing."""
    counts = Counter()
    if Block.objects.exists() or not Address.objects.exists():
        return counts
    now = now or timezone.now()
    rng = random.Random(f"{seed}:shops")
    today = timezone.localtime(now).date()
    current = services.half_month(today)
    periods = []
    half = current
    for _i in range(halves):
        half = half.previous
        periods.append(half)
    periods.reverse()  # oldest first
    start_day = periods[0].start if periods else current.start
    segments = _segments(rng, blocks)
    communities = Grid.objects.filter(
        pk__in={c for c, *_rest in segments}, level=GridLevel.COMMUNITY
    ).in_bulk()
    centres = {
        g.pk: (g.centroid_lon, g.centroid_lat)
        for g in Grid.objects.filter(pk__in={m for *_r, ms in segments for m in ms})
    }
    staff, worker, worker_community, fallback = _people(list(communities))
    items = list(InspectionItem.objects.filter(is_active=True).order_by("order"))
    with transaction.atomic():
        made = []
        worker_given = False
        for n, (community_id, name, road, micros) in enumerate(segments, start=1):
            community = communities[community_id]
            responsible = staff.get(community_id) or fallback
            deputy = None
            if worker is not None and community_id == worker_community and not worker_given:
                responsible, deputy = worker, staff.get(community_id)
                worker_given = True
            centre = next((centres[m] for m in micros if centres.get(m, (None,))[0]), None)
            geometry = None
            if centre is not None:
                lon, lat = centre
                geometry = {
                    "type": "LineString",
                    "coordinates": [[lon - 0.002, lat], [lon + 0.002, lat]],
                }
            block = services.do_save_block(
                None,
                code=f"SP{n:02d}",
                name=name,
                community=community,
                responsible=responsible,
                deputy=deputy if deputy != responsible else None,
                geometry=geometry,
                now=_at(start_day, rng, hours=(8, 9)),
            )
            made.append((block, road, centre))
            counts["block"] += 1
        # Shops, registered when the roll began.
        per_block = [max(4, round(shops / len(made) + rng.uniform(-4, 4))) for _b in made]
        number = defaultdict(int)
        all_shops = []
        trades, weights = list(TRADE_WEIGHTS), list(TRADE_WEIGHTS.values())
        for (block, road, centre), n_shops in zip(made, per_block, strict=True):
            rows = []
            for _i in range(n_shops):
                number[road] += rng.choice((2, 2, 4, 6))
                trade = rng.choices(trades, weights)[0]
                lon = lat = None
                if centre is not None:
                    lon = round(centre[0] + rng.uniform(-0.002, 0.002), 6)
                    lat = round(centre[1] + rng.uniform(-0.0003, 0.0003), 6)
                rows.append(
                    {
                        "sign_name": f"{rng.choice(PREFIXES)}{rng.choice(SIGNS[trade])}",
                        "address": f"{road}{number[road]}号",
                        "trade": trade,
                        "lon": lon,
                        "lat": lat,
                        "credit_code": credit_code(rng, counts["shop"] + len(rows)),
                        "operator_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
                        "operator_phone": f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                        "state": ShopState.OPEN if rng.random() < 0.9 else ShopState.SUSPENDED,
                        "agreement_date": start_day
                        - datetime.timedelta(days=rng.randrange(30, 700)),
                    }
                )
            all_shops += services.do_register_shops(
                None, block=block, rows=rows, now=_at(start_day, rng)
            )
            counts["shop"] += len(rows)
        # The three associations, each over the shops of a run of blocks.
        cursor = 0
        for name, members in ASSOCIATIONS:
            members = min(members, max(0, len(all_shops) - cursor))
            if members <= 0:
                break
            association = services.do_save_association(
                None,
                name=name,
                convention=CONVENTION,
                convention_adopted_on=start_day - datetime.timedelta(days=400),
                founded_on=start_day - datetime.timedelta(days=420),
            )
            chosen = all_shops[cursor : cursor + members]
            cursor += members
            counts["member"] += services.do_add_members(
                None, association, chosen, now=_at(start_day, rng)
            )
            services.do_save_association(
                None,
                association=association,
                name=name,
                convention=CONVENTION,
                convention_adopted_on=association.convention_adopted_on,
                founded_on=association.founded_on,
                head=chosen[0],
            )
        # Twelve half-months of rounds: two finished late, the last one overdue for one block.
        late = set()
        if len(periods) >= 4 and made:
            late = {
                (rng.randrange(len(made)), rng.randrange(1, len(periods) - 1)) for _i in range(2)
            }
        overdue = rng.randrange(len(made)) if made and periods else None
        by_block = defaultdict(list)
        for shop in all_shops:
            by_block[shop.block_id].append(shop)
        for p_index, period in enumerate(periods):
            span = (period.end - period.start).days
            for b_index, (block, _road, _c) in enumerate(made):
                person = block.responsible
                if p_index == len(periods) - 1 and b_index == overdue:
                    continue
                day = period.start + datetime.timedelta(days=rng.randrange(max(1, span - 2)))
                at = _at(day, rng)
                if (b_index, p_index) in late:
                    # Missed: a few shops seen, the round never completed in its half-month.
                    for shop in [s for s in by_block[block.pk] if s.in_roll][:3]:
                        services.do_confirm_shop(person, shop, now=at)
                    counts["late"] += 1
                    continue
                in_roll = [s for s in by_block[block.pk] if s.in_roll]
                if in_roll and rng.random() < 0.1:
                    shop = rng.choice(in_roll)
                    new = rng.choice(sorted(TRANSITIONS[shop.state]))
                    services.do_confirm_shop(person, shop, state=new, now=at)
                    shop.state = new
                    counts["state_change"] += 1
                if in_roll and rng.random() < 0.06:
                    shop = rng.choice(in_roll)
                    services.do_close_shop(person, shop, note="店面已拆除", now=at)
                    shop.in_roll = False
                    counts["closed"] += 1
                services.do_confirm_rest(person, block, now=at)
                counts["round"] += 1
        # This half-month: most blocks done already, the rest still on their way.
        elapsed = (today - current.start).days
        for b_index, (block, _road, _c) in enumerate(made):
            if b_index == overdue or rng.random() < 0.35 or elapsed < 1:
                continue
            services.do_confirm_rest(
                block.responsible,
                block,
                now=_at(current.start + datetime.timedelta(days=rng.randrange(elapsed)), rng),
            )
            counts["round"] += 1
        counts.update(_inspections(rng, made, by_block, items, today, now))
    return counts


def _inspections(rng, made, by_block, items, today, now) -> Counter:
    """Three months of 门责 inspections by each block's person (a 居委 staff or grid login): about
    one shop in twelve fails an item, which becomes a case; most are re-inspected in time, one
    shop fails every month (a repeat offender)."""
    counts = Counter()
    if not items:
        return counts
    offender = None
    for m_back in range(INSPECTED_MONTHS - 1, -1, -1):
        first = services.month_start(today, m_back)
        last_day = min(
            today - datetime.timedelta(days=1)
            if m_back == 0
            else services.month_bounds(first)[1].date(),
            services.month_bounds(first)[1].date(),
        )
        if last_day < first:
            continue
        span = (last_day - first).days + 1
        for block, _road, _c in made:
            shops = [s for s in by_block[block.pk] if s.in_roll]
            if not shops:
                continue
            if offender is None:
                offender = shops[0]
            sample = rng.sample(shops, max(1, len(shops) // 10))
            if offender.block_id == block.pk and offender not in sample and offender.in_roll:
                sample.append(offender)
            inspector = block.responsible
            for shop in sample:
                day = first + datetime.timedelta(days=rng.randrange(span))
                at = _at(day, rng)
                if at >= now:
                    continue
                fails = shop is offender or rng.random() < 0.08
                bad = rng.choice(items) if fails else None
                results = {
                    item.pk: (
                        {"passed": False, "note": FAIL_NOTES.get(item.name, "不合格")}
                        if item is bad
                        else {"passed": True}
                    )
                    for item in items
                }
                inspection = services.do_inspect(inspector, shop, results=results, now=at)
                counts["inspection"] += 1
                if bad is None:
                    continue
                counts["case"] += 1
                # Re-inspection: mostly within its date and fixed; the offender late or again.
                if shop is offender:
                    again_at = inspection.reinspect_by + datetime.timedelta(days=2)
                    fixed = rng.random() < 0.5
                else:
                    again_at = at + datetime.timedelta(days=rng.randrange(1, 3))
                    fixed = rng.random() < 0.85
                if again_at >= now:
                    continue
                services.do_inspect(
                    inspector,
                    shop,
                    results={
                        bad.pk: {"passed": True}
                        if fixed
                        else {"passed": False, "note": "复查仍未整改"}
                    },
                    reinspection_of=inspection,
                    now=again_at,
                )
                counts["reinspection"] += 1
    return counts
