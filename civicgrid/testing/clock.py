"""A settable clock for deadline tests, on time-machine: the whole process sees the same time
(timezone.now(), datetime.now(), date.today(), time.time()), not just one patched function."""

import datetime

import time_machine

from civicgrid.testing.world import local


class Clock:
    """`clock.set(2026, 11, 23, 10, 0)` moves to a Shanghai local time, `clock.advance(hours=2)`
    moves on; `clock.at` is the current time. Time stands still between moves unless the clock
    ticks (browser tests, whose pages and live server must see time pass)."""

    def __init__(self, traveller: time_machine.travel, tick: bool):
        self._travel = traveller
        self._tick = tick
        self._coordinates = traveller.start()

    @property
    def at(self) -> datetime.datetime:
        from django.utils import timezone

        return timezone.localtime()

    def set(self, *args):
        self.move_to(local(*args))

    def move_to(self, moment: datetime.datetime):
        self._coordinates.move_to(moment, tick=self._tick)

    def advance(self, **kwargs):
        self._coordinates.shift(datetime.timedelta(**kwargs))

    def ago(self, **kwargs):
        """Move to the real time minus a timedelta(**kwargs): for a timeline that took days."""
        real = time_machine.escape_hatch.datetime.datetime.now(datetime.UTC)
        self.move_to(real - datetime.timedelta(**kwargs))

    def stop(self):
        self._travel.stop()


def start_clock(at: datetime.datetime, *, tick: bool = False) -> Clock:
    """A clock standing at `at` (ticking from there with tick=True); call .stop() at the end."""
    return Clock(time_machine.travel(at, tick=tick), tick)
