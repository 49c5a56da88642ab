"""manage.py run_periodic: the periodic jobs (settings.CIVICGRID_PERIODIC_JOBS), each once per
period however many nodes run this command (core/periodic.py). Once, or with `--every` in a loop
(every few seconds: a job runs in the first tick of its period on whichever node claims it)."""

import logging
import time

from django.core.management.base import BaseCommand, CommandError

from civicgrid.core import commandline, periodic

logger = logging.getLogger("civicgrid.periodic")


class Command(BaseCommand):
    help = "运行到期的定时任务（时限预警扫描、通知补发等）；多台机器同时运行时每个周期只执行一次"

    def add_arguments(self, parser):
        commandline.add_every(parser, "每隔多少秒检查一次（默认只运行一次）")
        parser.add_argument("--job", action="append", default=[], help="只运行这个任务（可重复）")
        parser.add_argument("--quiet", action="store_true", help="只在有任务执行时输出")

    def handle(self, *args, every=0, job=(), quiet=False, **options):
        try:
            periodic.jobs(job)
        except KeyError as exc:
            raise CommandError(f"未知的定时任务：{exc.args[0]}") from exc
        while True:
            try:
                done = periodic.run_due(only=job)
                periodic.prune()
            except Exception:
                if every <= 0:
                    raise
                logger.exception("定时任务轮询失败，%s 秒后重试", every)
            else:
                ran = {name: state for name, state in done.items() if state != "skipped"}
                if not quiet or ran:
                    self.stdout.write(" ".join(f"{n}={s}" for n, s in done.items()))
            if every <= 0:
                return
            time.sleep(every)
