"""Recompute the dashboard's rollups from the cases (after imports, bulk loads, or to check)."""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from civicgrid.core import commandline
from civicgrid.dashboard import rollups


class Command(BaseCommand):
    help = _("由案件重新计算大屏汇总表（集合式 SQL，一个事务）")

    def add_arguments(self, parser):
        commandline.add_database(parser)
        parser.add_argument(
            "--prune-only", action="store_true", help=_("只删除已归零的期限行，不重算")
        )

    def handle(self, *args, database="default", prune_only=False, **options):
        started = time.perf_counter()
        if prune_only:
            deleted = rollups.prune(database)
            self.stdout.write(_("已删除 %(n)d 行归零记录") % {"n": deleted})
            return
        counts = rollups.rebuild(database)
        self.stdout.write(
            _("大屏汇总已重算：%(rows)d 行（%(grains)s），用时 %(s).1f 秒")
            % {
                "rows": sum(counts.values()),
                "grains": ", ".join(f"{g}={n}" for g, n in counts.items()),
                "s": time.perf_counter() - started,
            }
        )
