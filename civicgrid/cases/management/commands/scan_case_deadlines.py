"""Recompute deadline warnings (yellow at 80 %, red when overdue) of every open case."""

import time

from django.core.management.base import BaseCommand

from civicgrid.cases import warnings


class Command(BaseCommand):
    help = "重新计算所有在办案件的时限预警(用时80%黄灯,超期红灯),并通知处置人和城运中心"

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="每隔多少秒重复一次(默认只运行一次)",
        )

    def handle(self, *args, every=0, **options):
        while True:
            result = warnings.scan()
            self.stdout.write(
                f"yellow={result['yellow']} red={result['red']} normal={result['normal']}"
            )
            if every <= 0:
                return
            time.sleep(every)
