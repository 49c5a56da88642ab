"""manage.py restore ARCHIVE [--force] [--verify-only]: restore a `manage.py backup` archive into
an empty database and media storage, verifying it against its manifest before and after."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError
from django.utils.translation import gettext as _

from civicgrid.core.backup import BackupError, restore_backup, verify_archive


class Command(BaseCommand):
    help = _(
        "从 manage.py backup 的备份文件恢复数据库和媒体文件：先逐个校验，再恢复，恢复后核对"
        "各表行数和各文件校验和。恢复前请停止网站和后台任务。"
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help=_("备份文件（.tar）"))
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("目标数据库或媒体目录不是空的也恢复（覆盖其中的数据）"),
        )
        parser.add_argument(
            "--verify-only",
            action="store_true",
            help=_("只校验备份文件是否完整，不恢复"),
        )

    def handle(self, *args, archive, force=False, verify_only=False, **options):
        path = Path(archive)
        try:
            if verify_only:
                manifest = verify_archive(path, report=self.stdout.write)
                self.stdout.write(
                    self.style.SUCCESS(
                        _("备份完整：%(path)s（%(created)s，媒体文件 %(files)d 个）。")
                        % {
                            "path": path,
                            "created": manifest["created_at"],
                            "files": manifest["media"]["count"],
                        }
                    )
                )
                return
            restored = restore_backup(path, force=force, report=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        except OperationalError as exc:
            raise CommandError(
                _("无法连接数据库（恢复时请先建好空数据库，如 createdb）：%(err)s") % {"err": exc}
            ) from exc
        manifest = restored.manifest
        if restored.dropped_tables:
            self.stdout.write(
                _("删除了备份中没有的数据表 %(n)d 张（运行 migrate 会重建）。")
                % {"n": len(restored.dropped_tables)}
            )
        if restored.extra_files:
            self.stdout.write(
                _("媒体存储中另有 %(n)d 个备份中没有的文件，未删除。")
                % {"n": len(restored.extra_files)}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "恢复完成并已核对：%(path)s（备份于 %(created)s，数据表 %(tables)d 张共 "
                    "%(rows)d 行，媒体文件 %(files)d 个）。"
                )
                % {
                    "path": path,
                    "created": manifest["created_at"],
                    "tables": len(manifest["tables"]),
                    "rows": sum(manifest["tables"].values()),
                    "files": manifest["media"]["count"],
                }
            )
        )
