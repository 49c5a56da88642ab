"""manage.py backup [-o FILE]: the database and the media files in one verified archive
(civicgrid/core/backup.py; README "备份与恢复 / Backup and restore")."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError
from django.utils.translation import gettext as _

from civicgrid.core.backup import BackupError, create_backup, default_output


class Command(BaseCommand):
    help = _(
        "备份数据库和媒体文件（照片）到一个 tar 文件，附清单（各表行数、各文件校验和）；"
        "应用运行时也可备份。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "-o",
            "--output",
            help=_("备份文件路径（缺省：var/backups/civicgrid-<时间>.tar；不会覆盖已有文件）"),
        )

    def handle(self, *args, output=None, **options):
        path = Path(output) if output else default_output(settings.VAR_DIR)
        try:
            manifest = create_backup(path, report=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        except OperationalError as exc:
            raise CommandError(
                _("无法连接数据库（恢复时请先建好空数据库，如 createdb）：%(err)s") % {"err": exc}
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "备份完成：%(path)s（数据库 %(vendor)s，数据表 %(tables)d 张共 %(rows)d 行，"
                    "媒体文件 %(files)d 个）。"
                )
                % {
                    "path": path,
                    "vendor": manifest["database"]["vendor"],
                    "tables": len(manifest["tables"]),
                    "rows": sum(manifest["tables"].values()),
                    "files": manifest["media"]["count"],
                }
            )
        )
