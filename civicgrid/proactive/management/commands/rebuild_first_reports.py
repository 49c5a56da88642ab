"""Recompute the stored 未诉先办 answers (proactive.first) from the cases: after raw SQL, bulk
loads or imports, after changing CIVICGRID_PROACTIVE_FIRST_RADIUS_M / _WINDOW_DAYS, or to check."""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from civicgrid.core import commandline
from civicgrid.proactive import first


class Command(BaseCommand):
    help = _("由案件重新计算未诉先办（先发现）的存储结果（一个事务）")

    def add_arguments(self, parser):
        commandline.add_database(parser)

    def handle(self, *args, database="default", **options):
        started = time.perf_counter()
        verbose = self.stdout.write if options.get("verbosity", 1) > 1 else None
        rows = first.rebuild(database, verbose=verbose)
        self.stdout.write(
            _("未诉先办已重算：%(rows)d 件案件，用时 %(s).1f 秒")
            % {"rows": rows, "s": time.perf_counter() - started}
        )
