"""Working days on the Russian production calendar: deadlines and reminders skip weekends and the
New Year holidays, and are computed in Moscow time."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from workflow.calendar import add_working_days, deadline_after, is_working_day, working_days_before

MOSCOW = ZoneInfo("Europe/Moscow")
UTC = dt.UTC


@pytest.fixture(autouse=True)
def moscow_time(settings):
    """Every test here runs with Moscow as the current time zone."""
    settings.TIME_ZONE = "Europe/Moscow"
    with timezone.override(MOSCOW):
        yield


def d(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


def msk(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso).replace(tzinfo=MOSCOW)


# is_working_day


@pytest.mark.parametrize("day", [f"2026-01-0{n}" for n in range(1, 10)])
def test_new_year_holidays_2026_are_days_off(day):
    """GIVEN a day of the New Year holidays, 1 to 9 January 2026 (weekdays among them too)
    WHEN the calendar is asked
    THEN it is not a working day."""
    assert is_working_day(d(day)) is False


def test_31_december_2026_is_a_day_off_though_a_thursday():
    """GIVEN 31 December 2026, a Thursday made a day off by the 2026 transfer
    WHEN the calendar is asked
    THEN it is a day off, while the day before is a working day."""
    assert d("2026-12-31").weekday() == 3
    assert is_working_day(d("2026-12-31")) is False
    assert is_working_day(d("2026-12-30")) is True


@pytest.mark.parametrize(
    ("day", "working"),
    [("2026-01-12", True), ("2026-01-16", True), ("2026-01-17", False), ("2026-01-18", False)],
)
def test_ordinary_weekdays_work_and_weekends_do_not(day, working):
    """GIVEN an ordinary Monday/Friday or a Saturday/Sunday in January 2026
    WHEN the calendar is asked
    THEN weekdays are working days and weekends are not."""
    assert is_working_day(d(day)) is working


# add_working_days


def test_one_working_day_after_30_december_2025_is_12_january_2026():
    """GIVEN a letter registered on Tuesday 30 December 2025
    WHEN one working day is added
    THEN 31 December 2025, 1-9 January and the weekend are skipped: Monday 12 January 2026."""
    assert add_working_days(d("2025-12-30"), 1) == d("2026-01-12")


def test_working_days_count_across_the_new_year_holidays():
    """GIVEN Monday 29 December 2025
    WHEN three working days are added
    THEN the count goes 30 Dec, 12 Jan, 13 Jan: Tuesday 13 January 2026."""
    assert add_working_days(d("2025-12-29"), 3) == d("2026-01-13")


def test_one_working_day_after_30_december_2026_skips_31_december():
    """GIVEN Wednesday 30 December 2026
    WHEN one working day is added
    THEN 31 December 2026 and the 2027 New Year holidays are skipped: Monday 11 January 2027."""
    assert add_working_days(d("2026-12-30"), 1) == d("2027-01-11")


def test_friday_plus_one_working_day_is_monday():
    """GIVEN Friday 16 January 2026
    WHEN one working day is added
    THEN the weekend is skipped: Monday 19 January."""
    assert add_working_days(d("2026-01-16"), 1) == d("2026-01-19")


def test_a_full_working_week_is_five_working_days():
    """GIVEN Monday 12 January 2026
    WHEN five working days are added
    THEN the result is the next Monday, 19 January."""
    assert add_working_days(d("2026-01-12"), 5) == d("2026-01-19")


def test_zero_days_on_a_working_day_is_that_day():
    """GIVEN Wednesday 14 January 2026, a working day
    WHEN zero working days are added
    THEN the same day is returned."""
    assert add_working_days(d("2026-01-14"), 0) == d("2026-01-14")


@pytest.mark.parametrize("start", ["2026-01-01", "2026-01-03", "2026-01-09", "2026-01-11"])
def test_zero_days_on_a_day_off_moves_to_the_next_working_day(start):
    """GIVEN a day inside the New Year holidays or the weekend after them
    WHEN zero working days are added
    THEN the next working day, Monday 12 January 2026, is returned."""
    assert add_working_days(d(start), 0) == d("2026-01-12")


def test_negative_days_count_backwards_across_the_holidays():
    """GIVEN Monday 12 January 2026, the first working day of the year
    WHEN one working day is subtracted
    THEN the holidays and 31 December 2025 are skipped: Tuesday 30 December 2025."""
    assert add_working_days(d("2026-01-12"), -1) == d("2025-12-30")


def test_negative_days_skip_the_weekend_backwards():
    """GIVEN Monday 19 January 2026
    WHEN one working day is subtracted
    THEN the result is Friday 16 January."""
    assert add_working_days(d("2026-01-19"), -1) == d("2026-01-16")


def test_negative_days_from_a_day_off_land_on_the_previous_working_day():
    """GIVEN Saturday 17 January 2026, a day off
    WHEN one working day is subtracted
    THEN the result is Friday 16 January (not Saturday itself)."""
    assert add_working_days(d("2026-01-17"), -1) == d("2026-01-16")


@pytest.mark.parametrize("days", [1, 2, 7, 20])
def test_adding_then_subtracting_returns_to_the_working_day(days):
    """GIVEN a working day just before the New Year holidays
    WHEN N working days are added and then N subtracted
    THEN the original day comes back."""
    start = d("2025-12-26")

    assert add_working_days(add_working_days(start, days), -days) == start


# working_days_before


def test_working_days_before_keeps_the_moscow_time_of_day():
    """GIVEN a deadline on Monday 12 January 2026 at 10:30 Moscow time
    WHEN the reminder is set one working day before
    THEN it is on Tuesday 30 December 2025 at 10:30 Moscow time."""
    reminder = working_days_before(msk("2026-01-12T10:30"), 1)

    assert reminder == msk("2025-12-30T10:30")
    assert reminder.utcoffset() == dt.timedelta(hours=3)


def test_working_days_before_counts_days_in_moscow_not_utc():
    """GIVEN a deadline at 00:30 on Friday 16 January 2026 in Moscow (still Thursday in UTC)
    WHEN the reminder is set one working day before
    THEN it is Thursday 15 January 00:30 Moscow time, counted on the Moscow calendar."""
    moment = dt.datetime(2026, 1, 15, 21, 30, tzinfo=UTC)

    reminder = working_days_before(moment, 1)

    assert reminder == msk("2026-01-15T00:30")
    assert timezone.localtime(reminder).date() == d("2026-01-15")


def test_working_days_before_zero_on_a_working_day_is_the_same_moment():
    """GIVEN a deadline on Wednesday 14 January 2026 at 18:00
    WHEN the reminder is set zero working days before
    THEN it is the deadline moment itself."""
    assert working_days_before(msk("2026-01-14T18:00"), 0) == msk("2026-01-14T18:00")


# deadline_after


def test_deadline_after_is_18_00_moscow_on_the_target_working_day():
    """GIVEN a task created on Tuesday 30 December 2025 at 15:20
    WHEN its deadline is one working day
    THEN it is due Monday 12 January 2026 at 18:00 Moscow time (15:00 UTC)."""
    due = deadline_after(msk("2025-12-30T15:20:45.123"), 1)

    assert due == msk("2026-01-12T18:00")
    assert due.astimezone(UTC) == dt.datetime(2026, 1, 12, 15, 0, tzinfo=UTC)


def test_deadline_after_counts_from_the_moscow_date_of_a_utc_moment():
    """GIVEN a task created at 21:30 UTC on Thursday 15 January 2026 (00:30 Friday in Moscow)
    WHEN its deadline is one working day
    THEN it is due Monday 19 January at 18:00 Moscow time, not Friday."""
    due = deadline_after(dt.datetime(2026, 1, 15, 21, 30, tzinfo=UTC), 1)

    assert due == msk("2026-01-19T18:00")


def test_deadline_after_zero_days_on_a_holiday_is_the_next_working_day_evening():
    """GIVEN a task created during the holidays, on 5 January 2026 at 11:00
    WHEN its deadline is zero working days
    THEN it is due at the end of the first working day, 12 January 2026 at 18:00."""
    assert deadline_after(msk("2026-01-05T11:00"), 0) == msk("2026-01-12T18:00")


def test_deadline_after_three_working_days_around_31_december_2026():
    """GIVEN a task created on Tuesday 29 December 2026 at 09:00
    WHEN its deadline is three working days
    THEN 30 December counts, 31 December and 1-10 January do not: due 12 January 2027 18:00."""
    assert deadline_after(msk("2026-12-29T09:00"), 3) == msk("2027-01-12T18:00")


def test_a_saturday_made_a_working_day_counts():
    """GIVEN 1 November 2025, a Saturday the government made a working day
    THEN it is a working day, and one working day after Friday 31 October lands on it."""
    assert is_working_day(dt.date(2025, 11, 1))
    assert add_working_days(dt.date(2025, 10, 31), 1) == dt.date(2025, 11, 1)
