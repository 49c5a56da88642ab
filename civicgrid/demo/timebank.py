"""The demo street's 爱心银行 (seed 002: “奉献—回报—奉献”; 助老项目20余项, 公益伙伴30余家, 志愿者
1000余人): 22 projects across the 居村 with their 居委 coordinators, 32 partners, about 1,050
volunteers (registry residents and people from outside, a team per 居村, some 双报到), a year of
verified services to the street's elders, gifts to declared relatives, donations to the pool,
a few redemptions and requests in every state. The `resident` login is a volunteer with an
elderly relative, so its phone pages show a balance and a family request.

The projects go through timebank.services; the year of records, their history rows and the
ledger are written in bulk (a year is ~8,000 records) with the services' arithmetic: durations
are whole half-hours and one record a volunteer a day stays under the 8-hour cap, so each
record's credit is its duration; balances are summed from the transfers written, so every
balance equals its credits minus its debits and the ledger sums to zero (the demo test checks
both)."""

import datetime
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import User
from civicgrid.demo.builder import insert_rows
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.registry.models import Resident
from civicgrid.timebank import services
from civicgrid.timebank.choices import (
    AccountKind,
    PartnerKind,
    RecordState,
    RequestState,
    TransferKind,
)
from civicgrid.timebank.models import (
    Account,
    HelpRequest,
    Partner,
    Project,
    RecordEvent,
    Relative,
    RequestEvent,
    ServiceRecord,
    Team,
    Transfer,
    Volunteer,
)

PROJECTS = [
    ("长者食堂助餐", "meals"),
    ("送餐上门", "meals"),
    ("居家助洁", "cleaning"),
    ("助浴服务", "cleaning"),
    ("陪同就医", "medical"),
    ("家庭医生签约协助", "medical"),
    ("健康监测", "medical"),
    ("独居老人陪伴", "company"),
    ("电话问候", "company"),
    ("读报聊天", "company"),
    ("代购代缴", "errands"),
    ("养老金代办", "errands"),
    ("智能手机教学", "errands"),
    ("爱心理发", "haircut"),
    ("上门理发", "haircut"),
    ("家电小修", "repairs"),
    ("水电维修", "repairs"),
    ("适老化改造协助", "repairs"),
    ("助老法律咨询", "other"),
    ("老年书画班", "other"),
    ("重阳节集体活动", "other"),
    ("康复锻炼陪练", "medical"),
]
PARTNER_NAMES = [
    "康桥社区卫生服务中心",
    "康桥镇社工站",
    "秀沿路长者食堂",
    "康乐养老服务社",
    "浦东红十字志愿队",
    "周浦医院康复科",
    "康桥律师事务所",
    "益家公益服务中心",
    "乐龄社工事务所",
    "康桥家电维修部",
    "秀康理发店",
    "阳光助残服务社",
    "康桥镇团委青年突击队",
    "上海康桥中学",
    "康桥幼儿园家委会",
    "浦东新区妇联康桥分会",
    "康桥供电所",
    "康桥自来水营业所",
    "沪上书画社",
    "康桥派出所社区民警组",
    "康桥菜场商户联盟",
    "邻里互助会",
    "银发智能课堂",
    "康桥镇老年协会",
    "中国银行康桥支行",
    "工商银行康桥支行",
    "康桥物业协会",
    "浦东新区志愿者协会",
    "康桥图书馆",
    "华润万家康桥店",
    "康桥镇文体中心",
    "东方有线康桥站",
]
PARTNER_KINDS = [PartnerKind.SOCIAL_ORG, PartnerKind.COMPANY, PartnerKind.UNIT, PartnerKind.SHOP]
SKILLS = ["理发", "维修", "护理", "驾驶", "法律", "书画", "烹饪", "手机教学", "心理疏导", "英语"]
OUTSIDE_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
OUTSIDE_GIVEN = ["志强", "丽娟", "晓明", "春燕", "建华", "海波", "雪梅", "俊杰", "佳怡", "子涵"]
VOLUNTEERS = 1050
RESIDENT_SHARE = 0.6
DURATIONS = [60, 60, 90, 90, 120, 120, 150, 180, 240]
UNITS = ["浦东新区卫健委", "康桥镇政府", "区税务局", "区教育局", "区城管执法局"]


def _ages(rows, today):
    """(resident id, household id, community id, age) from values rows."""
    out = []
    for pk, household_id, community_id, born in rows:
        if born is None:
            continue
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        out.append((pk, household_id, community_id, age))
    return out


def build_demo_timebank(*, seed: int = 7, now=None, volunteers: int = VOLUNTEERS) -> dict:
    """Builds the time bank; returns counts ({} when it exists already or nothing to build on).
    `volunteers`: fewer for a test's small street."""
    if Project.objects.exists():
        return {}
    rng = random.Random(f"{seed}:timebank")
    now = now or timezone.now()
    today = timezone.localdate(now)
    communities = list(Grid.objects.filter(level=GridLevel.COMMUNITY).order_by("code", "pk"))
    staff = {
        u.community_id: u
        for u in User.objects.filter(role=Role.COMMUNITY_STAFF, community__isnull=False).order_by(
            "-pk"
        )
    }
    communities = [c for c in communities if c.pk in staff]
    people = _ages(
        Resident.objects.filter(lives_here=True).values_list(
            "pk", "household_id", "household__address__micro_grid__parent_id", "birth_date"
        ),
        today,
    )
    elders = [p for p in people if p[3] >= 65 and p[2] in staff]
    adults = [p for p in people if 18 <= p[3] < 75 and p[2] in staff]
    if not communities or not elders:
        return {}
    counts = defaultdict(int)
    year_ago = today - datetime.timedelta(days=365)
    with transaction.atomic():
        partners = Partner.objects.bulk_create(
            Partner(
                name=name,
                kind=PARTNER_KINDS[i % len(PARTNER_KINDS)],
                community=communities[i % len(communities)] if i % 3 else None,
                joined_on=year_ago - datetime.timedelta(days=rng.randint(0, 900)),
            )
            for i, name in enumerate(PARTNER_NAMES)
        )
        counts["partners"] = len(partners)
        projects = []
        for i, (name, kind) in enumerate(PROJECTS):
            community = communities[i % len(communities)]
            project = services.do_save_project(
                None,
                name=name,
                kind=kind,
                community=community,
                coordinator=staff[community.pk],
                started_on=year_ago - datetime.timedelta(days=rng.randint(30, 700)),
                partners=rng.sample(partners, 3),
            )
            projects.append(project)
        counts["projects"] = len(projects)
        teams = {
            c.pk: t
            for c, t in zip(
                communities,
                Team.objects.bulk_create(
                    Team(name=f"{c.name}为老服务队", community=c) for c in communities
                ),
                strict=True,
            )
        }
        volunteers = _volunteers(rng, adults, communities, teams, year_ago, volunteers)
        counts["volunteers"] = len(volunteers)
        accounts = _accounts(volunteers, now)
        bank = {kind: services.bank_account(kind) for kind in AccountKind if kind != "person"}
        balances = defaultdict(int)
        transfers, events = [], []
        records = _records(rng, volunteers, projects, elders, today, now, counts)
        records = ServiceRecord.objects.bulk_create(records, batch_size=2000)
        for record in records:
            account = accounts[record.volunteer_id]
            at = record.ended_at + datetime.timedelta(hours=rng.randint(2, 48))
            at = min(at, now)
            events.append(
                RecordEvent(
                    record=record,
                    action="record",
                    to_state=RecordState.SUBMITTED,
                    by=None,
                    at=record.created_at,
                )
            )
            if record.state == RecordState.VERIFIED:
                events.append(
                    RecordEvent(
                        record=record,
                        action="verify",
                        from_state=RecordState.SUBMITTED,
                        to_state=RecordState.VERIFIED,
                        by=record.project.coordinator,
                        at=at,
                    )
                )
                transfers.append(
                    Transfer(
                        debit=bank[AccountKind.ISSUED],
                        credit=account,
                        minutes=record.credited_minutes,
                        kind=TransferKind.EARN,
                        record=record,
                        by=record.project.coordinator,
                        at=at,
                    )
                )
                balances[account.pk] += record.credited_minutes
                balances[bank[AccountKind.ISSUED].pk] -= record.credited_minutes
        insert_rows(RecordEvent, events)
        _gifts_and_redemptions(
            rng, accounts, volunteers, elders, bank, balances, transfers, now, counts
        )
        insert_rows(Transfer, transfers)
        counts["transfers"] = len(transfers)
        moved = list(Account.objects.filter(pk__in=balances))
        for account in moved:
            account.balance = balances[account.pk]
        Account.objects.bulk_update(moved, ["balance"], batch_size=2000)
        counts["requests"] = _requests(rng, projects, elders, volunteers, staff, now, today)
        counts["resident"] = _resident_login(accounts, volunteers, elders, now)
    return dict(counts)


def _volunteers(rng, adults, communities, teams, year_ago, total):
    n_residents = min(len(adults), int(total * RESIDENT_SHARE))
    chosen = rng.sample(adults, n_residents)
    rows = []
    for pk, _household, community_id, _age in chosen:
        rows.append(
            Volunteer(
                resident_id=pk,
                name="",
                community_id=community_id,
                team=teams[community_id] if rng.random() < 0.7 else None,
                skills=rng.sample(SKILLS, rng.randint(0, 2)),
                joined_on=year_ago - datetime.timedelta(days=rng.randint(0, 1500)),
            )
        )
    names = dict(
        Resident.objects.filter(pk__in=[r.resident_id for r in rows]).values_list("pk", "name")
    )
    for row in rows:
        row.name = names[row.resident_id]
    for i in range(total - len(rows)):
        community = communities[i % len(communities)]
        double = rng.random() < 0.35
        rows.append(
            Volunteer(
                name=rng.choice(OUTSIDE_SURNAMES) + rng.choice(OUTSIDE_GIVEN),
                phone=f"13{rng.randint(100000000, 999999999)}",
                community=community,
                team=teams[community.pk] if rng.random() < 0.5 else None,
                skills=rng.sample(SKILLS, rng.randint(0, 3)),
                double_report=double,
                unit=rng.choice(UNITS) if double else "",
                joined_on=year_ago - datetime.timedelta(days=rng.randint(0, 1500)),
            )
        )
    # Most volunteers agreed, when they joined, to be named on an honour roll; every sixth did
    # not (the roll leaves them out). No draw from rng: the rest of the demo stays as it was.
    for i, row in enumerate(rows):
        if i % 6 != 5:
            row.name_consent, row.name_consent_on = True, row.joined_on
    return Volunteer.objects.bulk_create(rows, batch_size=2000)


def _accounts(volunteers, now) -> dict:
    """{volunteer id: account}: a resident's own account, or the outside volunteer's."""
    residents = {v.resident_id: v for v in volunteers if v.resident_id}
    community_of = dict(
        Resident.objects.filter(pk__in=residents).values_list(
            "pk", "household__address__micro_grid__parent_id"
        )
    )
    rows = [
        Account(
            kind=AccountKind.PERSON,
            resident_id=v.resident_id,
            volunteer=None if v.resident_id else v,
            community_id=community_of.get(v.resident_id, v.community_id),
            opened_at=now,
        )
        for v in volunteers
    ]
    created = Account.objects.bulk_create(rows, batch_size=2000)
    return {v.pk: a for v, a in zip(volunteers, created, strict=True)}


def _records(rng, volunteers, projects, elders, today, now, counts):
    by_community = defaultdict(list)
    for project in projects:
        by_community[project.community_id].append(project)
    elders_by_community = defaultdict(list)
    for elder in elders:
        elders_by_community[elder[2]].append(elder)
    households = dict(
        Resident.objects.filter(
            pk__in=[v.resident_id for v in volunteers if v.resident_id]
        ).values_list("pk", "household_id")
    )
    all_projects = projects
    # The zone looked up once, not for each of the ~7,000 records.
    tz = timezone.get_current_timezone()
    rows = []
    for volunteer in volunteers:
        if rng.random() < 0.25:  # registered, not active this year
            continue
        own = households.get(volunteer.resident_id)
        days = sorted(rng.sample(range(1, 365), rng.randint(2, 14)))
        choices = by_community.get(volunteer.community_id) or all_projects
        pool = elders_by_community.get(volunteer.community_id) or elders
        for back in days:
            day = today - datetime.timedelta(days=back)
            project = rng.choice(choices)
            start = timezone.make_aware(
                datetime.datetime.combine(
                    day, datetime.time(rng.randint(8, 15), rng.choice((0, 30)))
                ),
                tz,
            )
            minutes = rng.choice(DURATIONS)
            group = project.kind == "other" or rng.random() < 0.08
            elder = None
            if not group:
                elder = rng.choice(pool)
                if elder[1] == own:
                    continue
            state = (
                RecordState.VERIFIED if back > 3 or rng.random() < 0.5 else RecordState.SUBMITTED
            )
            rows.append(
                ServiceRecord(
                    project=project,
                    volunteer=volunteer,
                    recipient_id=elder[0] if elder else None,
                    activity=project.name if group else "",
                    community_id=project.community_id,
                    started_at=start,
                    ended_at=start + datetime.timedelta(minutes=minutes),
                    confirmation="" if group else "本人签字确认",
                    state=state,
                    credited_minutes=minutes if state == RecordState.VERIFIED else 0,
                    created_at=min(start + datetime.timedelta(minutes=minutes + 30), now),
                )
            )
            counts[f"records:{state}"] += 1
    return rows


def _gifts_and_redemptions(
    rng, accounts, volunteers, elders, bank, balances, transfers, now, counts
):
    """Gifts to declared elderly relatives (a relative declared for each), a few donations to the
    pool, and redemptions by elders of 65 or over from what they were given."""
    givers = [v for v in volunteers if balances[accounts[v.pk].pk] >= 240]
    rng.shuffle(givers)
    elder_accounts = {}
    relatives = []
    gifts = givers[:160]
    taken = {v.resident_id for v in volunteers if v.resident_id}
    free_elders = [e for e in elders if e[0] not in taken]
    if not free_elders:
        return
    for volunteer in gifts:
        account = accounts[volunteer.pk]
        elder = rng.choice(free_elders)
        if elder[0] not in elder_accounts:
            elder_accounts[elder[0]] = Account(
                kind=AccountKind.PERSON, resident_id=elder[0], community_id=elder[2], opened_at=now
            )
        relatives.append((account, elder[0]))
    Account.objects.bulk_create(elder_accounts.values())
    seen = set()
    rows = []
    for account, resident_id in relatives:
        if (account.pk, resident_id) in seen:
            continue
        seen.add((account.pk, resident_id))
        rows.append(
            Relative(
                account=account,
                resident_id=resident_id,
                relation=rng.choice(["父亲", "母亲", "祖母", "祖父"]),
                at=now - datetime.timedelta(days=200),
            )
        )
    Relative.objects.bulk_create(rows)
    counts["relatives"] = len(rows)
    for relative in rows:
        account, target = relative.account, elder_accounts[relative.resident_id]
        minutes = rng.choice((60, 120, 180))
        if balances[account.pk] < minutes:
            continue
        at = now - datetime.timedelta(days=rng.randint(5, 60))
        transfers.append(
            Transfer(
                debit=account,
                credit=target,
                minutes=minutes,
                kind=TransferKind.GIFT,
                note="赠与亲属",
                at=at,
            )
        )
        balances[account.pk] -= minutes
        balances[target.pk] += minutes
        counts["gifts"] += 1
    for volunteer in givers[160:220]:
        account = accounts[volunteer.pk]
        if balances[account.pk] < 60:
            continue
        transfers.append(
            Transfer(
                debit=account,
                credit=bank[AccountKind.POOL],
                minutes=60,
                kind=TransferKind.DONATE,
                note="捐入公益池",
                at=now - datetime.timedelta(days=rng.randint(1, 90)),
            )
        )
        balances[account.pk] -= 60
        balances[bank[AccountKind.POOL].pk] += 60
        counts["donations"] += 1
    for target in list(elder_accounts.values())[:30]:
        if balances[target.pk] < 60:
            continue
        transfers.append(
            Transfer(
                debit=target,
                credit=bank[AccountKind.REDEEMED],
                minutes=60,
                kind=TransferKind.REDEEM,
                note="兑换居家助洁一次",
                at=now - datetime.timedelta(days=rng.randint(0, 4)),
            )
        )
        balances[target.pk] -= 60
        balances[bank[AccountKind.REDEEMED].pk] += 60
        counts["redemptions"] += 1


def _requests(rng, projects, elders, volunteers, staff, now, today) -> int:
    by_community = defaultdict(list)
    for v in volunteers:
        by_community[v.community_id].append(v)
    rows, states = [], []
    for i in range(80):
        project = projects[i % len(projects)]
        pool = [e for e in elders if e[2] == project.community_id] or elders
        elder = rng.choice(pool)
        state = [RequestState.DONE] * 5 + [
            RequestState.OPEN,
            RequestState.MATCHED,
            RequestState.CANCELLED,
        ]
        state = state[i % len(state)]
        helpers = by_community.get(project.community_id) or volunteers
        created = now - datetime.timedelta(
            days=rng.randint(0, 300) if state == RequestState.DONE else rng.randint(0, 3)
        )
        rows.append(
            HelpRequest(
                elder_id=elder[0],
                project=project,
                community_id=elder[2],
                wanted_on=max(
                    timezone.localdate(created) + datetime.timedelta(days=2),
                    today
                    if state in (RequestState.OPEN, RequestState.MATCHED)
                    else timezone.localdate(created),
                ),
                description=f"需要{project.name}服务",
                state=state,
                volunteer=rng.choice(helpers)
                if state in (RequestState.MATCHED, RequestState.DONE)
                else None,
                created_at=created,
            )
        )
        states.append(state)
    rows = HelpRequest.objects.bulk_create(rows)
    events = []
    for request in rows:
        coordinator = staff.get(request.project.community_id)
        events.append(
            RequestEvent(
                request=request, action="ask", to_state=RequestState.OPEN, at=request.created_at
            )
        )
        if request.state in (RequestState.MATCHED, RequestState.DONE):
            events.append(
                RequestEvent(
                    request=request,
                    action="match",
                    from_state=RequestState.OPEN,
                    to_state=RequestState.MATCHED,
                    by=coordinator,
                    at=min(request.created_at + datetime.timedelta(hours=3), now),
                )
            )
        if request.state in (RequestState.DONE, RequestState.CANCELLED):
            source = (
                RequestState.MATCHED if request.state == RequestState.DONE else RequestState.OPEN
            )
            events.append(
                RequestEvent(
                    request=request,
                    action=request.state if request.state == RequestState.DONE else "cancel",
                    from_state=source,
                    to_state=request.state,
                    by=coordinator,
                    # a request of today is done or cancelled by now, not in two days
                    at=min(request.created_at + datetime.timedelta(days=2), now),
                )
            )
    RequestEvent.objects.bulk_create(events)
    return len(rows)


def _resident_login(accounts, volunteers, elders, now) -> int:
    """The `resident` login is a volunteer (their registry resident's), with an elderly relative
    declared, and a request matched to them so the phone page can record its service."""
    login = User.objects.filter(username="resident", role=Role.RESIDENT).first()
    if login is None or Account.objects.filter(user=login).exists():
        return 0
    volunteer = next((v for v in volunteers if v.resident_id), None)
    if volunteer is None:
        return 0
    account = accounts[volunteer.pk]
    Account.objects.filter(pk=account.pk).update(user=login)
    own = Resident.objects.get(pk=volunteer.resident_id).household_id
    elder = next((e for e in elders if e[1] != own), None)
    if (
        elder is not None
        and not Relative.objects.filter(account=account, resident_id=elder[0]).exists()
    ):
        Relative.objects.create(account=account, resident_id=elder[0], relation="祖母", at=now)
    return 1
