"""The working periods of a working day, from settings.WORKING_HOURS.

Kept free of Django imports so settings.py and the system check can both use it. A setting is a
list of ("HH:MM", "HH:MM") pairs in local time (settings.TIME_ZONE), in order and not overlapping,
e.g. [("09:00", "12:00"), ("13:00", "18:00")] — 8 working hours with a lunch break.
"""

import datetime


class WorkingHoursError(ValueError):
    """settings.WORKING_HOURS cannot be used; the message says which period and why."""


def _parse_time(text: str, index: int) -> datetime.time:
    try:
        hour, minute = str(text).strip().split(":")
        if not (hour.isdigit() and minute.isdigit() and len(minute) == 2):
            raise ValueError
        return datetime.time(int(hour), int(minute))
    except ValueError as exc:
        raise WorkingHoursError(
            f"WORKING_HOURS 第{index}段的时间“{text}”格式不对,应为 HH:MM,例如 09:00"
        ) from exc


def parse_working_hours(value) -> tuple[tuple[datetime.time, datetime.time], ...]:
    """[("09:00", "12:00"), ...] or "09:00-12:00,13:00-18:00" → ((time, time), ...)."""
    if isinstance(value, str):
        items = [part.strip() for part in value.split(",") if part.strip()]
        value = [tuple(item.split("-", 1)) for item in items]
    periods = []
    for index, pair in enumerate(value or (), start=1):
        if len(pair) != 2:
            raise WorkingHoursError(f"WORKING_HOURS 第{index}段应为“开始-结束”两个时间")
        start, end = _parse_time(pair[0], index), _parse_time(pair[1], index)
        if start >= end:
            raise WorkingHoursError(f"WORKING_HOURS 第{index}段的结束时间须晚于开始时间")
        if periods and start < periods[-1][1]:
            raise WorkingHoursError(f"WORKING_HOURS 第{index}段与上一段重叠或顺序颠倒")
        periods.append((start, end))
    if not periods:
        raise WorkingHoursError("WORKING_HOURS 至少要有一段工作时间")
    return tuple(periods)


def working_hours_env(text: str) -> list[tuple[str, str]]:
    """The environment form "09:00-12:00,13:00-18:00" as the settings form [("09:00", "12:00"), ...].

    Only splits; parse_working_hours validates (through the system check) with a clear message.
    """
    pairs = []
    for part in text.split(","):
        if part.strip():
            start, _sep, end = part.strip().partition("-")
            pairs.append((start.strip(), end.strip()))
    return pairs
