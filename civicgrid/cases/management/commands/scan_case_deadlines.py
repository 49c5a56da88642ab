"""Recompute deadline warnings (yellow at 80 %, red when overdue) of every open case.

`make demo` runs it with `--every 60 --quiet` beside the task worker (scripts/serve-demo): a scan
that fails (e.g. SQLite busy while the demo data loads) is logged and retried next round. Each
round also sweeps the notification outbox (messaging.outbox.deliver_pending): what a lost wake-up
or a dead worker left behind goes out within a minute even without a task worker.
"""

import logging
import time

from django.core.management.base import BaseCommand

from civicgrid.cases import warnings
from civicgrid.core import commandline
from civicgrid.messaging import outbox

logger = logging.getLogger("civicgrid.cases.warnings")


class Command(BaseCommand):
    help = "重新计算所有在办案件的时限预警(用时80%黄灯,超期红灯),并通知处置人和城运中心"

    def add_arguments(self, parser):
        commandline.add_every(parser, "每隔多少秒重复一次(默认只运行一次)")
        parser.add_argument(
            "--quiet", action="store_true", help="只在有案件变灯时输出(后台运行时用)"
        )

    def handle(self, *args, every=0, quiet=False, **options):
        while True:
            try:
                result = warnings.scan()
                swept = outbox.deliver_pending()
            except Exception:
                if every <= 0:
                    raise
                logger.exception("时限预警扫描失败,%s 秒后重试", every)
            else:
                if not quiet or any(result.values()):
                    self.stdout.write(
                        f"yellow={result['yellow']} red={result['red']} normal={result['normal']}"
                    )
                if swept["delivered"] or swept["failed"]:
                    self.stdout.write(
                        f"notifications delivered={swept['delivered']} failed={swept['failed']}"
                    )
            if every <= 0:
                return
            time.sleep(every)
