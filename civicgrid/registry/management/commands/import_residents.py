"""manage.py import_residents FILE [--dry-run] [--user USERNAME]"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from civicgrid.registry.imports import ImportFileError, import_residents


class Command(BaseCommand):
    help = "从 Excel(.xlsx)或 CSV 导入居民及其户和地址;任何一行有错误时不保存任何数据。"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只检查,不保存")
        parser.add_argument("--user", help="按此用户的管辖范围检查楼组(默认不限范围)", default=None)

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在:{path}")
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get(username=options["user"])
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"用户不存在:{options['user']}") from exc
        try:
            result = import_residents(
                path.read_bytes(), path.name, user=user, dry_run=options["dry_run"]
            )
        except ImportFileError as exc:
            raise CommandError(exc.messages[0]) from exc
        if result.errors:
            for e in result.errors:
                self.stderr.write(f"第{e.row}行 [{e.column}] {e.message}")
            raise CommandError(f"共 {len(result.errors)} 处错误,未导入任何数据")
        verb = "检查通过(未保存)" if result.dry_run else "导入完成"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb}:{result.rows} 行;新增地址 {result.addresses_created} 个、"
                f"户 {result.households_created} 户、居民 {result.residents_created} 人"
            )
        )
