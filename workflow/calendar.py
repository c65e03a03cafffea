"""Working days on the Russian production calendar (public holidays and their transfers from the
``holidays`` package, including Saturdays made working days)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.utils import timezone


@lru_cache(maxsize=64)
def _calendar_of(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("RU", years=year)


def is_working_day(day: dt.date) -> bool:
    # the package knows holidays, transferred days off and Saturdays made working days
    return _calendar_of(day.year).is_working_day(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (before it when negative).

    Zero returns ``start`` itself when it is a working day, else the next working day.
    """
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    day = start
    if remaining == 0:
        while not is_working_day(day):
            day += dt.timedelta(days=1)
        return day
    while remaining:
        day += dt.timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_before(moment: dt.datetime, days: int) -> dt.datetime:
    """The same local time of day, ``days`` working days before ``moment``."""
    local = timezone.localtime(moment)
    day = add_working_days(local.date(), -days)
    return local.replace(year=day.year, month=day.month, day=day.day)


def deadline_after(start: dt.datetime, working_days: int) -> dt.datetime:
    """18:00 local time on the day ``working_days`` working days after ``start``."""
    local = timezone.localtime(start)
    day = add_working_days(local.date(), working_days)
    return local.replace(
        year=day.year, month=day.month, day=day.day, hour=18, minute=0, second=0, microsecond=0
    )
