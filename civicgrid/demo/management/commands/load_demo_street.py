"""manage.py load_demo_street: write the seeded demo street (grid, staff, registries, logins)."""

import gc
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils.translation import gettext as _

from civicgrid.core import commandline
from civicgrid.dashboard import rollups
from civicgrid.demo.accounts import build_posted_accounts
from civicgrid.demo.builder import DEFAULT_SEED, FULL_HOUSEHOLDS, DemoParams, build_demo_street
from civicgrid.demo.bulletin import build_demo_bulletin
from civicgrid.demo.campaigns import build_demo_campaigns
from civicgrid.demo.cases import (
    DEFAULT_CASES,
    build_demo_cases,
    last_case_pk,
    work_through_reports,
)
from civicgrid.demo.dispatch import build_demo_dispatch
from civicgrid.demo.duty import build_demo_duty
from civicgrid.demo.emergency import build_demo_emergency
from civicgrid.demo.estates import build_demo_estates
from civicgrid.demo.fieldwork import build_demo_fieldwork
from civicgrid.demo.firesafety import build_demo_firesafety
from civicgrid.demo.meetings import build_demo_meetings
from civicgrid.demo.notices import build_demo_notices
from civicgrid.demo.parking import build_demo_parking
from civicgrid.demo.party import build_demo_party
from civicgrid.demo.proactive import build_demo_proactive
from civicgrid.demo.projects import build_demo_projects
from civicgrid.demo.shops import build_demo_shops
from civicgrid.demo.sorting import build_demo_sorting
from civicgrid.demo.survey import build_demo_survey
from civicgrid.demo.timebank import build_demo_timebank
from civicgrid.dispatch.services import has_active_model
from civicgrid.grids.models import Grid
from civicgrid.proactive import first as first_reports

# Objects allocated between two young-generation collections during the load (Python's default
# is 700). The load keeps tens of thousands of model instances alive, and every collection that
# reaches them walks them all: with the default a sixth of the load's time went to the collector.
LOAD_GC_THRESHOLD = 50_000


@contextmanager
def fewer_collections():
    """The cyclic garbage collector runs rarely while the demo is written: what was loaded
    before (Django, the apps) is frozen out of its walks and the young generation is allowed to
    grow to LOAD_GC_THRESHOLD objects. Reference counting still frees everything at once; only
    cycles wait a little longer. The previous settings come back on exit."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(LOAD_GC_THRESHOLD, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


class Command(BaseCommand):
    help = _(
        "生成演示街镇：五级网格、“1+2+N”网格力量、职能部门、标准地址、户和实有人口、演示账号。"
        "同一 --seed 生成的数据完全相同。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=_("随机种子"))
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("已有网格数据时什么也不做（第二次 make demo 保留数据）"),
        )
        parser.add_argument(
            "--streets", type=commandline.positive, default=DemoParams.streets, help=_("街镇数")
        )
        parser.add_argument(
            "--communities",
            type=commandline.positive,
            default=DemoParams.communities,
            help=_("每个街镇的居村数（康桥： 62）"),
        )
        parser.add_argument(
            "--micro-grids-per-street",
            type=commandline.positive,
            default=DemoParams.micro_grids_per_street,
            help=_("每个街镇的微网格数（康桥： 251）"),
        )
        parser.add_argument(
            "--households-per-building-group",
            type=commandline.non_negative,
            default=DemoParams.households_per_building_group,
            help=_("每个楼组的平均户数；0 只生成网格，不生成网格力量和人口（城市规模性能测试）"),
        )
        parser.add_argument(
            "--population",
            choices=["demo", "full"],
            default="demo",
            help=_(
                "demo：每个楼组按平均户数生成（约三万人）；full：康桥全量实有人口，"
                "约11万户、30万人，分批写入（需一两分钟）"
            ),
        )
        parser.add_argument(
            "--areas",
            type=commandline.positive,
            default=None,
            help=_("每个街镇的片区数（康桥： 6 个镇管社区；缺省时不超过居村数）"),
        )
        parser.add_argument(
            "--no-logins", action="store_true", help=_("不创建演示账号（性能测试用）")
        )
        parser.add_argument(
            "--cases",
            type=commandline.non_negative,
            default=DEFAULT_CASES,
            help=_("近60天的演示案件数，经由案件服务逐步流转生成（0 不生成）"),
        )

    def handle(self, *args, **options):
        with fewer_collections():
            self._handle(**options)

    def _handle(self, **options):
        if settings.PRODUCTION:
            raise CommandError(_("生产环境（CIVICGRID_PRODUCTION=1）不允许生成演示数据"))
        existing = Grid.objects.count()
        if existing:
            if options["if_empty"]:
                self.stdout.write(_("已有 %d 个网格，保留现有数据，不生成演示街镇。") % existing)
                return
            raise CommandError(
                _("数据库里已有 %d 个网格；演示街镇只能生成到空库（make clean-demo 可清空演示库）")
                % existing
            )
        if options["communities"] > options["micro_grids_per_street"]:
            raise CommandError(_("每个居村至少要有一个微网格：--communities 不能大于微网格数"))
        areas = options["areas"]
        if areas is None:
            areas = min(DemoParams.areas_per_street, options["communities"])
        if areas > options["communities"]:
            raise CommandError(_("每个片区至少要有一个居村：--areas 不能大于 --communities"))
        begun = time.perf_counter()
        params = DemoParams(
            seed=options["seed"],
            streets=options["streets"],
            areas_per_street=areas,
            communities=options["communities"],
            micro_grids_per_street=options["micro_grids_per_street"],
            households_per_building_group=options["households_per_building_group"],
            households_total=(
                FULL_HOUSEHOLDS * options["streets"] if options["population"] == "full" else None
            ),
        )
        result = build_demo_street(params, logins=not options["no_logins"])
        if params.households_per_building_group:
            build_demo_estates(seed=params.seed)  # 小区, 物业, 业委会, 普育里
        if options["cases"] and params.households_per_building_group and not options["no_logins"]:
            started = time.perf_counter()
            # 未诉先办's counts (proactive.first) and the dashboard's rollups (with the 核查
            # tallies) are written once after the programmes' cases, not step by step: the same
            # rows at a fraction of the cost. Nothing in between reads them.
            # Smart dispatch suggests and learns only once a model is trained (build_demo_dispatch,
            # below): before that, each report's and each filing's after-commit look-up finds
            # nothing to do, so the cases are written without them when no model is active.
            suggest = settings.CIVICGRID_DISPATCH_SUGGEST and has_active_model()
            with (
                override_settings(CIVICGRID_DISPATCH_SUGGEST=suggest),
                first_reports.deferred(),
                rollups.deferred(),
            ):
                cases = build_demo_cases(options["cases"], seed=params.seed)
                # From here the builders report what their patrols, visits and inspections find,
                # as a street's do; the desk works through those reports after them (below).
                programmes_from = last_case_pk()
                # The demo grid worker's own day: cases in their grid, patrols, visits.
                work = build_demo_fieldwork(seed=params.seed)
                # Accounts (no password until the admin sets one) and the patrol rounds of every
                # posted 网格长 and 专职网格员, so that coverage exists for the whole street.
                posted = build_posted_accounts(seed=params.seed)
                # The 城运中心's roster, a few 督办件 and department liaisons.
                build_demo_duty(seed=params.seed)
                # Last quarter's residents' satisfaction survey (居民满意度测评) with its answers.
                build_demo_survey(seed=params.seed)
                # 垃圾分类: points, rosters, pledges, weighings, inspections, green-account points.
                build_demo_sorting(seed=params.seed)
                # 沿街商铺: 37 blocks, their shops and associations, half-monthly rounds, 门责.
                build_demo_shops(seed=params.seed)
                # 出租屋消防三色码: every let self-built house coded, a year of inspections.
                build_demo_firesafety(seed=params.seed)
                # 错峰共享停车: seed 004's estate (607 cars, 440 spaces), an office car park at night.
                build_demo_parking(seed=params.seed)
                # 三会: the 问题角 → 花卉园 hearing, a parking coordination, evaluations, training.
                build_demo_meetings(seed=params.seed)
                # 党组织: the tree (251 micro-grid branches and groups), ~3,000 双报到 members, the 12
                # five-star branches, a year of 三会一课, the 1+6+62+X points, a co-building signing.
                # Before the projects, whose 牵头党组织 are its organisations.
                build_demo_party(seed=params.seed)
                # 社区项目: the 2023 campaign, 62 proposals → 8 recommended (after the 三会's own).
                build_demo_projects(seed=params.seed)
                # 爱心银行: 22 projects, 32 partners, ~1,050 volunteers, a year of services.
                build_demo_timebank(seed=params.seed)
                # 防汛应急: 29 flood-prone estates and their works, a past typhoon at level III, drills.
                build_demo_emergency(seed=params.seed)
                # 公示公告: 花墙's relocation to 100% signed, the 62 → 8 selection 公示, honour rolls
                # (the bulletin, below, prints the period's notices and honour rolls).
                build_demo_notices(seed=params.seed)
                # 创建创评: a 文明城区 campaign, 300 checkpoints, twelve weekly 督查 rounds, 无违建.
                build_demo_campaigns(seed=params.seed)
                work_through_reports(programmes_from, seed=params.seed)
            # 主动治理: 一弄一案 items (one 返潮), a hotspot, an anomaly, patrol tasks.
            reports_from = last_case_pk()
            build_demo_proactive(seed=params.seed)
            # Its residents' reports too: the desk has handled the older ones of the 一弄一案
            # places (the items stand for the place, whatever became of each report).
            with first_reports.deferred(), rollups.deferred():
                work_through_reports(reports_from, seed=params.seed)
            # 社区报: 第41期 (published) and 第42期 (edited) compiled from the demo's own data, once
            # the desk has worked through every report (the issues print the period's cases).
            build_demo_bulletin(seed=params.seed)
            # 智能派单: the 权责清单, auto-dispatch for 路灯, a model trained on the closed cases.
            build_demo_dispatch(seed=params.seed)
            self._report_street(params, result)
            self.stdout.write(
                _(
                    "演示案件 %(n)d 件：已结案 %(closed)d，在办 %(open)d，"
                    "不予立案 %(refused)d，已合并 %(merged)d；红灯超期 %(red)d，黄灯预警 %(yellow)d。"
                )
                % {
                    "n": cases["case"],
                    "closed": cases["status:closed"],
                    "open": sum(
                        v
                        for k, v in cases.items()
                        if k.startswith("status:")
                        and k not in ("status:closed", "status:not_filed", "status:merged")
                    ),
                    "refused": cases["status:not_filed"],
                    "merged": cases["status:merged"],
                    "red": cases["warning:red"],
                    "yellow": cases["warning:yellow"],
                }
            )
            self.stdout.write(
                _(
                    "演示网格员（gridworker）的工作：网格内案件 %(cases)d 件，巡查 %(patrols)d 次（发现问题转案件 %(found)d 件），走访 %(visits)d 户次。"
                )
                % {
                    "cases": sum(v for k, v in work.items() if k.startswith("case:")),
                    "patrols": work["patrol"],
                    "found": work["patrol_case"],
                    "visits": work["visit"],
                }
            )
            self.stdout.write(
                _(
                    "在岗网格长、专职网格员账号 %(accounts)d 个（未设密码，由管理员在后台设置后方可登录）；"
                    "巡块责任区 %(areas)d 个，近两周巡查 %(patrols)d 次。"
                )
                % {
                    "accounts": sum(v for k, v in posted.items() if k.startswith("account:")),
                    "areas": posted["patrol_area"],
                    "patrols": posted["patrol"],
                }
            )
            # The cases and the programmes are timed together: the programmes' builders write
            # cases of their own, and the deferred counts are written for all of them at once.
            self.stdout.write(
                _("案件及各项工作数据用时 %(sec).1f 秒；演示数据共用时 %(total).1f 秒。")
                % {
                    "sec": time.perf_counter() - started,
                    "total": time.perf_counter() - begun,
                }
            )
            return
        self._report_street(params, result)

    def _report_street(self, params, result):
        c = result.counts
        if params.households_per_building_group == 0:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "网格已生成（仅几何，种子 %(seed)s，用时 %(sec).1f 秒）：街镇 %(street)d，"
                        "片区 %(area)d，居村 %(community)d，微网格 %(micro)d，楼组 %(group)d。"
                    )
                    % {
                        "seed": params.seed,
                        "sec": result.seconds,
                        "street": c["grid:street"],
                        "area": c["grid:area"],
                        "community": c["grid:community"],
                        "micro": c["grid:micro_grid"],
                        "group": c["grid:building_group"],
                    }
                )
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "演示数据已生成（种子 %(seed)s，用时 %(sec).1f 秒）：街镇 %(street)d，片区 %(area)d，"
                    "居村 %(community)d，微网格 %(micro)d，楼组 %(group)d；网格长 %(leader)d，"
                    "专职网格员 %(full)d，兼职网格员 %(part)d，先锋骨干 %(pioneer)d；"
                    "标准地址 %(address)d，户 %(household)d，居民 %(resident)d"
                    "（户籍 %(registered)d，实住 %(living)d）。"
                )
                % {
                    "seed": params.seed,
                    "sec": result.seconds,
                    "street": c["grid:street"],
                    "area": c["grid:area"],
                    "community": c["grid:community"],
                    "micro": c["grid:micro_grid"],
                    "group": c["grid:building_group"],
                    "leader": c["post:leader"],
                    "full": c["post:full_time"],
                    "part": c["post:part_time"],
                    "pioneer": c["post:pioneer"],
                    "address": c["address"],
                    "household": c["household"],
                    "resident": c["resident"],
                    "registered": c["resident:registered"],
                    "living": c["resident:lives_here"],
                }
            )
        )
