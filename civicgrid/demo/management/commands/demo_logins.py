"""manage.py demo_logins: create or reset the demo logins and print them as a table."""

import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from civicgrid.demo.logins import ensure_demo_logins


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


class Command(BaseCommand):
    help = _("创建或重置演示账号（每个角色至少一个）并打印用户名、密码、角色和数据范围")

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError(_("生产环境（CIVICGRID_PRODUCTION=1）不允许创建演示账号"))
        logins = ensure_demo_logins()
        header = [_("用户名"), _("密码"), _("角色"), _("姓名"), _("数据范围")]
        rows = [[x.username, x.password, x.role_label, x.display_name, x.scope] for x in logins]
        widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
        self.stdout.write(_("演示账号（仅供演示，生产环境不可用）："))
        for row in [header, ["-" * w for w in widths], *rows]:
            self.stdout.write(
                "  ".join(_pad(str(v), w) for v, w in zip(row, widths, strict=True)).rstrip()
            )
