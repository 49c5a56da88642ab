"""`manage.py export_grids [--root CODE] [-o FILE]`: write the grid tree as GeoJSON."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civicgrid.grids.geojson_export import dumps, export_feature_collection
from civicgrid.grids.models import Grid


class Command(BaseCommand):
    help = "导出网格树为 GeoJSON FeatureCollection(与 import_grids 的格式相同,可原样导回)。"

    def add_arguments(self, parser):
        parser.add_argument("--root", help="只导出该编码的网格及其下级")
        parser.add_argument("-o", "--output", help="输出文件(缺省为标准输出)")

    def handle(self, *args, **options):
        root = None
        if options["root"]:
            root = Grid.objects.filter(code=options["root"]).first()
            if root is None:
                raise CommandError(f"编码 {options['root']} 的网格不存在")
        text = dumps(export_feature_collection(root))
        if options["output"]:
            try:
                Path(options["output"]).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"无法写入文件 {options['output']}: {exc.strerror}") from None
            count = text.count('"type":"Feature",')
            self.stdout.write(self.style.SUCCESS(f"已导出 {count} 个网格到 {options['output']}"))
        else:
            self.stdout.write(text)
