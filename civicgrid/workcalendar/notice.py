"""Reading a year's holiday notice (节假日安排通知) as typed by an operator.

One syntax for the management command, its JSON file and the admin form. Items are separated by
commas (, ，、), semicolons or new lines; each item is

    [名称=]YYYY-MM-DD[:YYYY-MM-DD]        e.g. 元旦=2027-01-01:2027-01-03, 春节=2027-02-07

a single day or an inclusive range (":", "~" or "至" between the two dates). Every problem is
collected with the list and item it is in, so the operator fixes them all in one go, and nothing
is written while any remains (services.publish_year validates again before writing).
"""

import datetime
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MIN_YEAR, MAX_YEAR = 2000, 2100
# No Chinese holiday is longer than the Spring Festival's 9 days; a longer range is a typo.
MAX_RANGE_DAYS = 31
_SPLIT = re.compile(r"[,\uff0c\u3001;\uff1b\n\r]+")  # also the full-width ,;、
_RANGE = re.compile(r"\s*(?::|~|～|至)\s*")


class NoticeError(ValueError):
    """The notice cannot be published; `messages` lists every problem in Chinese.

    `problems` pairs each message with the input it is about ("year", "notice", "holidays",
    "workdays", or None for the notice as a whole) so a form can show it beside that field.
    """

    def __init__(self, problems):
        self.problems = [p if isinstance(p, tuple) else (None, p) for p in problems]
        self.messages = [message for _field, message in self.problems]
        super().__init__(";".join(self.messages))

    def by_field(self) -> dict:
        out = {}
        for field_name, message in self.problems:
            out.setdefault(field_name, []).append(message)
        return out


@dataclass
class Notice:
    """A validated notice: every listed day with its holiday name ("" when none was given)."""

    year: int
    holidays: dict[datetime.date, str] = field(default_factory=dict)
    workdays: dict[datetime.date, str] = field(default_factory=dict)
    text: str = ""


def _date(text: str):
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        return None


def _items(value) -> list:
    """A string (split on separators) or a list of strings / {"name", "start", "end"|"date"}."""
    if value is None:
        return []
    if isinstance(value, str):
        return [item.strip() for item in _SPLIT.split(value) if item.strip()]
    return list(value)


def _read_item(item, label, index, errors):
    """→ (first date, last date, name) or None, with a message in `errors` for a bad item."""
    where = _("%(label)s第%(index)s项") % {"label": label, "index": index}
    if isinstance(item, dict):
        name = str(item.get("name") or "").strip()
        start_text = str(item.get("start") or item.get("date") or "")
        end_text = str(item.get("end") or start_text)
        shown = f"{start_text}:{end_text}"
    elif isinstance(item, str):
        shown = item.strip()
        name, sep, dates = shown.rpartition("=")
        name = name.strip() if sep else ""
        parts = _RANGE.split(dates.strip())
        if len(parts) > 2:
            errors.append(
                _("%(where)s“%(item)s”：只能有开始和结束两个日期") % {"where": where, "item": shown}
            )
            return None
        start_text, end_text = parts[0], parts[-1]
    else:
        errors.append(_("%(where)s：无法识别的内容") % {"where": where})
        return None
    first, last = _date(start_text), _date(end_text)
    if first is None or last is None:
        errors.append(
            _("%(where)s“%(item)s”：日期格式不对，应为 YYYY-MM-DD，例如 2027-01-01")
            % {"where": where, "item": shown}
        )
        return None
    if last < first:
        errors.append(
            _("%(where)s“%(item)s”：结束日期早于开始日期") % {"where": where, "item": shown}
        )
        return None
    if (last - first).days + 1 > MAX_RANGE_DAYS:
        errors.append(
            _("%(where)s“%(item)s”：区间超过%(max)s天，请检查日期")
            % {"where": where, "item": shown, "max": MAX_RANGE_DAYS}
        )
        return None
    if len(name) > 40:
        errors.append(_("%(where)s：节日名称不能超过40个字") % {"where": where})
        return None
    return first, last, name, where, shown


def parse_notice(year, holidays, workdays, text: str = "") -> Notice:
    """Validate a year's notice; raise NoticeError listing every problem.

    Rules: the year is 2000–2100; every date lies in that year; at least one holiday is given;
    an adjusted working day (调休上班) is a Saturday or Sunday; no day is both a holiday and an
    adjusted working day; a day listed twice carries one name.
    """
    errors = []
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise NoticeError([("year", _("年份“%(year)s”不是数字") % {"year": year})]) from None
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise NoticeError(
            [("year", _("年份须在%(min)s到%(max)s之间") % {"min": MIN_YEAR, "max": MAX_YEAR})]
        )
    notice = Notice(year=year, text=(text or "").strip())
    if len(notice.text) > 300:
        errors.append(("notice", _("通知依据不能超过300个字")))
    for field_name, label, value, target, single in (
        ("holidays", _("放假日期"), holidays, notice.holidays, False),
        ("workdays", _("调休上班日期"), workdays, notice.workdays, True),
    ):
        field_errors = []
        for index, item in enumerate(_items(value), start=1):
            read = _read_item(item, label, index, field_errors)
            if read is None:
                continue
            first, last, name, where, shown = read
            if first.year != year or last.year != year:
                field_errors.append(
                    _("%(where)s“%(item)s”:%(day)s 不在%(year)s年内")
                    % {
                        "where": where,
                        "item": shown,
                        "day": first if first.year != year else last,
                        "year": year,
                    }
                )
                continue
            day = first
            while day <= last:
                if single and day.isoweekday() < 6:
                    field_errors.append(
                        _("%(where)s:%(day)s 是工作日（周一至周五），调休上班日只能是周六或周日")
                        % {"where": where, "day": day}
                    )
                elif day in target and name and target[day] and target[day] != name:
                    field_errors.append(
                        _("%(where)s:%(day)s 已列为“%(other)s”，不能再列为“%(name)s”")
                        % {"where": where, "day": day, "other": target[day], "name": name}
                    )
                else:
                    target[day] = name or target.get(day, "")
                day += datetime.timedelta(days=1)
        errors.extend((field_name, message) for message in field_errors)
    for day in sorted(set(notice.holidays) & set(notice.workdays)):
        errors.append(("workdays", _("%(day)s 同时出现在放假日期和调休上班日期中") % {"day": day}))
    if not notice.holidays and not errors:
        errors.append(
            ("holidays", _("没有任何放假日期：请按通知填写%(year)s年的放假安排") % {"year": year})
        )
    if errors:
        raise NoticeError(errors)
    return notice


def notice_lines(holidays: dict, workdays: dict) -> tuple[str, str]:
    """The reverse of parse_notice: consecutive days with one name become one range per line."""

    def lines(days: dict) -> str:
        out = []
        run = []
        for day in sorted(days):
            if run and (day - run[-1]).days == 1 and days[day] == days[run[0]]:
                run.append(day)
                continue
            if run:
                out.append(_line(run, days[run[0]]))
            run = [day]
        if run:
            out.append(_line(run, days[run[0]]))
        return "\n".join(out)

    return lines(holidays), lines(workdays)


def _line(run, name):
    dates = run[0].isoformat() if len(run) == 1 else f"{run[0]}:{run[-1]}"
    return f"{name}={dates}" if name else dates
