"""`manage.py import_grids FILE [--dry-run] [--replace]`: load a grid tree from GeoJSON."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civicgrid.grids.geojson_io import Tolerance, import_feature_collection, problems_table


class Command(BaseCommand):
    help = (
        "导入 GeoJSON 网格树(FeatureCollection)。先校验全部要素并列出所有问题;有任何错误则"
        "不保存。--replace:更新同编码网格、新建新编码、删除文件中已不存在的下级网格(仍被引用的"
        "网格不删除并报错)。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="GeoJSON 文件路径(UTF-8)")
        parser.add_argument("--dry-run", action="store_true", help="只校验,不保存")
        parser.add_argument("--replace", action="store_true", help="替换已存在的网格树")
        parser.add_argument(
            "--tolerance-m", type=float, default=Tolerance.distance_m, help="允许的偏差宽度(米)"
        )
        parser.add_argument(
            "--tolerance-ratio",
            type=float,
            default=Tolerance.area_ratio,
            help="允许的偏差面积占比(0.005 即 0.5%%)",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}: {exc}") from exc
        report = import_feature_collection(
            data,
            replace=options["replace"],
            dry_run=options["dry_run"],
            tolerance=Tolerance(options["tolerance_m"], options["tolerance_ratio"]),
        )
        if report.problems:
            self.stdout.write("级别\t要素\t编码\t名称\t问题")
            self.stdout.write(problems_table(report.problems))
        summary = (
            f"要素 {report.feature_count} 个:新建 {report.created},更新 {report.updated},"
            f"删除 {report.deleted},系统编号 {report.numbered};"
            f"错误 {len(report.errors)},警告 {len(report.warnings)}"
        )
        if report.fatal:
            raise CommandError(f"存在错误,未保存任何数据。{summary}")
        if report.dry_run:
            self.stdout.write(self.style.WARNING(f"试运行,未保存。{summary}"))
        else:
            self.stdout.write(self.style.SUCCESS(f"导入完成。{summary}"))
