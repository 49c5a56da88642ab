"""manage.py import_holiday_notice YEAR --holidays ... --workdays ... [--notice TEXT]
manage.py import_holiday_notice YEAR --file notice.json
manage.py import_holiday_notice YEAR --from-chinese-calendar
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from civicgrid.workcalendar import services
from civicgrid.workcalendar.choices import DayKind
from civicgrid.workcalendar.notice import NoticeError, parse_notice


class Command(BaseCommand):
    help = (
        "录入某年国务院办公厅节假日安排通知并公布该年工作日历(整年一次写入,有任何错误时不写入)。"
        "日期写法:[名称=]YYYY-MM-DD[:YYYY-MM-DD],多项用逗号分隔,"
        "例如 --holidays 元旦=2027-01-01:2027-01-03 --workdays 春节=2027-02-07"
    )

    def add_arguments(self, parser):
        parser.add_argument("year", help="年份,例如 2027")
        parser.add_argument("--holidays", default=None, help="放假日期(含周末在内的整段假期)")
        parser.add_argument("--workdays", default=None, help="调休上班日期(只能是周六或周日)")
        parser.add_argument("--notice", default="", help="通知依据,例如 国办发明电〔2026〕×号")
        parser.add_argument(
            "--file",
            default=None,
            help='JSON 文件:{"notice": "...", "holidays": ["元旦=2027-01-01:2027-01-03", '
            '{"name": "春节", "start": "2027-02-06", "end": "2027-02-13"}], "workdays": [...]}',
        )
        parser.add_argument(
            "--from-chinese-calendar",
            action="store_true",
            help="按已安装的 chinese-calendar 包的数据公布该年(包须含该年数据)",
        )
        parser.add_argument("--dry-run", action="store_true", help="只检查,不写入")

    def handle(self, *args, **options):
        year = options["year"]
        holidays, workdays, notice = options["holidays"], options["workdays"], options["notice"]
        if options["from_chinese_calendar"]:
            if holidays or workdays or options["file"]:
                raise CommandError(
                    "--from-chinese-calendar 不能与 --holidays/--workdays/--file 同用"
                )
            if options["dry_run"]:
                raise CommandError("--from-chinese-calendar 不支持 --dry-run")
            return self._publish(lambda: services.publish_from_chinese_calendar(year))
        if options["file"]:
            if holidays or workdays:
                raise CommandError("--file 不能与 --holidays/--workdays 同用")
            holidays, workdays, notice = self._read_file(Path(options["file"]), year, notice)
        if not holidays:
            raise CommandError("请用 --holidays 或 --file 给出放假日期")
        if options["dry_run"]:
            try:
                parsed = parse_notice(year, holidays, workdays, notice)
            except NoticeError as exc:
                self._fail(exc)
            self.stdout.write(
                self.style.SUCCESS(
                    f"检查通过(未写入):{parsed.year}年 放假 {len(parsed.holidays)} 天,"
                    f"调休上班 {len(parsed.workdays)} 天"
                )
            )
            return
        self._publish(lambda: services.publish_year(year, holidays, workdays, notice))

    def _publish(self, action):
        try:
            calendar_year = action()
        except NoticeError as exc:
            self._fail(exc)
        days = calendar_year.days.all()
        self.stdout.write(
            self.style.SUCCESS(
                f"已公布 {calendar_year.year} 年工作日历:放假 "
                f"{days.filter(kind=DayKind.HOLIDAY).count()} 天,调休上班 "
                f"{days.filter(kind=DayKind.ADJUSTED_WORKDAY).count()} 天,"
                f"工作日共 {days.filter(kind__in=[DayKind.WORKDAY, DayKind.ADJUSTED_WORKDAY]).count()} 天"
            )
        )

    def _fail(self, exc: NoticeError):
        for message in exc.messages:
            self.stderr.write(message)
        raise CommandError(f"共 {len(exc.messages)} 处错误,未写入任何数据")

    def _read_file(self, path: Path, year, notice):
        if not path.is_file():
            raise CommandError(f"文件不存在:{path}")
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"文件 {path.name} 不是有效的 UTF-8 JSON:{exc}") from exc
        if not isinstance(data, dict):
            raise CommandError("JSON 文件应为一个对象,含 holidays、workdays、notice")
        if "year" in data and str(data["year"]) != str(year):
            raise CommandError(f"文件中的年份 {data['year']} 与命令参数 {year} 不一致")
        for key in ("holidays", "workdays"):
            if not isinstance(data.get(key, []), list | str):
                raise CommandError(f"JSON 中的 {key} 应为列表")
        return data.get("holidays"), data.get("workdays"), notice or data.get("notice", "")
