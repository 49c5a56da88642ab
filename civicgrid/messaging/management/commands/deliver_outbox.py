"""Deliver the notifications waiting in the outbox (the sweep behind the worker's wake-ups):
once, or with `--every` in a loop; from cron when no task worker runs."""

import logging
import time

from django.core.management.base import BaseCommand

from civicgrid.core import commandline
from civicgrid.messaging import outbox

logger = logging.getLogger("civicgrid.cases.notifications")


class Command(BaseCommand):
    help = "发送通知发件箱中待发送的消息（每批少量，租约过期的重新领取）"

    def add_arguments(self, parser):
        commandline.add_every(parser, "每隔多少秒重复一次（默认只运行一次）")
        parser.add_argument(
            "--quiet", action="store_true", help="只在有消息发送时输出（后台运行时用）"
        )

    def handle(self, *args, every=0, quiet=False, **options):
        while True:
            try:
                delivered = failed = 0
                while True:
                    counts = outbox.deliver_pending()
                    delivered += counts["delivered"]
                    failed += counts["failed"]
                    if not counts["more"]:
                        break
            except Exception:
                if every <= 0:
                    raise
                logger.exception("通知发送轮询失败，%s 秒后重试", every)
            else:
                if not quiet or delivered or failed:
                    self.stdout.write(f"delivered={delivered} failed={failed}")
            if every <= 0:
                return
            time.sleep(every)
