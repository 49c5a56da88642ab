"""manage.py firesafety_overdue: red rental houses past their deadline go to 基层约请 on their
case (firesafety.services.check_overdue). Run it beside the deadline scan (scan_case_deadlines),
e.g. hourly from cron or with --every."""

import logging
import time

from django.core.management.base import BaseCommand

from civicgrid.core import commandline
from civicgrid.firesafety.services import check_overdue

logger = logging.getLogger("civicgrid.firesafety")


class Command(BaseCommand):
    help = "红码出租屋逾期未整改的，对其案件发起基层约请（消防部门和群租处置部门）"

    def add_arguments(self, parser):
        commandline.add_every(parser, "每隔多少秒重复一次（默认只运行一次）")

    def handle(self, *args, every=0, **options):
        while True:
            try:
                result = check_overdue()
            except Exception:
                if every <= 0:
                    raise
                logger.exception("红码逾期检查失败，%s 秒后重试", every)
            else:
                self.stdout.write(
                    f"called_in={result['called_in']} waiting={result['waiting']} "
                    f"failed={result['failed']}"
                )
            if every <= 0:
                return
            time.sleep(every)
