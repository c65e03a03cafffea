"""Figures from the route engine's step data over a period: time per stage (median and p90 in
working days, by percentile_cont in SQL) and decisions on time against late, per person and per
week. A step's time is its elapsed time minus the non-working days it spans (the production
calendar of ``workflow.calendar``), in days of 24 hours."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.translation import get_language

from control import doctypes
from control.scope import Scope
from workflow.calendar import is_working_day

User = get_user_model()

# steps decided in the period may have started long before it
_LOOKBACK = dt.timedelta(days=400)


@dataclass
class StageTime:
    document_type: str
    label: str
    stage: str
    steps: int
    median: float
    p90: float


@dataclass
class PersonOnTime:
    document_type: str
    label: str
    user: object
    on_time: int
    late: int

    @property
    def share(self) -> int:
        total = self.on_time + self.late
        return round(100 * self.on_time / total) if total else 0


@dataclass
class WeekOnTime:
    week: dt.date
    on_time: int
    late: int


@dataclass(frozen=True)
class Calendar:
    """The production calendar as two arrays for SQL, from ``base`` on: ``before[i]`` is the
    number of non-working days before day i (1-based, as SQL arrays are), ``off[i]`` whether
    day i is non-working. The non-working time between two moments is then two array lookups."""

    base: dt.date
    before: list[int]
    off: list[bool]


def calendar_from(start: dt.date, end: dt.date) -> Calendar:
    before, off, count = [], [], 0
    day = start
    while day <= end + dt.timedelta(days=1):
        holiday = not is_working_day(day)
        before.append(count)
        off.append(holiday)
        count += holiday
        day += dt.timedelta(days=1)
    return Calendar(start, before, off)


def _off_seconds_until(column: str) -> str:
    """SQL: non-working seconds from the calendar's base to ``column`` (a timestamptz), in local
    time; days before the base count as the base day, after the end as the last day."""
    local = f"({column} AT TIME ZONE cal.tz)"
    index = f"LEAST(GREATEST({local}::date - cal.base + 1, 1), cal.days)"
    return (
        f"(86400 * cal.before[{index}] + CASE WHEN cal.off[{index}] "
        f"THEN EXTRACT(EPOCH FROM {local} - {local}::date) ELSE 0 END)"
    )


def _bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(date_from, dt.time.min, tzinfo=tz),
        dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


_PERSON = "COALESCE(s.decided_by_id, s.deputy_id, s.participant_id)"


def stage_times(scope: Scope, *, date_from: dt.date, date_to: dt.date) -> list[StageTime]:
    """Steps decided in [date_from, date_to], grouped by document type and stage name."""
    begin, end = _bounds(date_from, date_to)
    calendar = calendar_from(date_from - _LOOKBACK, date_to)
    where, scope_params = scope.sql()
    sql = f"""
        WITH cal AS (
            SELECT %s::int[] AS before, %s::bool[] AS off, %s::date AS base, %s::int AS days,
                   %s::text AS tz
        ), timed AS (
            SELECT r.document_type, st.name AS stage,
                   (EXTRACT(EPOCH FROM s.decided_at - s.started_at)
                    - {_off_seconds_until("s.decided_at")}
                    + {_off_seconds_until("s.started_at")}) / 86400.0 AS days
            FROM workflow_routestep s
            CROSS JOIN cal
            JOIN workflow_routestage st ON st.id = s.stage_id
            JOIN workflow_route r ON r.id = s.route_id
            LEFT JOIN workflow_employee e ON e.user_id = {_PERSON}
            WHERE s.status = 'decided' AND s.started_at IS NOT NULL
              AND s.decided_at >= %s AND s.decided_at < %s AND {where}
        )
        SELECT document_type, stage, COUNT(*),
               PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY days),
               PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY days)
        FROM timed GROUP BY document_type, stage
    """
    params = [
        calendar.before,
        calendar.off,
        calendar.base,
        len(calendar.before),
        timezone.get_current_timezone_name(),
        begin,
        end,
        *scope_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    result = [
        StageTime(
            code, doctypes.label_for_code(code), stage, count, max(median, 0.0), max(p90, 0.0)
        )
        for code, stage, count, median, p90 in rows
    ]
    return sorted(result, key=lambda r: (r.label, -r.median, r.stage))


def _on_time_from(scope: Scope, date_from: dt.date, date_to: dt.date) -> tuple[str, list]:
    begin, end = _bounds(date_from, date_to)
    where, scope_params = scope.sql()
    sql = f"""
        FROM workflow_routestep s
        JOIN workflow_route r ON r.id = s.route_id
        JOIN workflow_task t ON t.id = s.task_id
        LEFT JOIN workflow_employee e ON e.user_id = {_PERSON}
        WHERE s.status = 'decided' AND t.due_at IS NOT NULL
          AND s.decided_at >= %s AND s.decided_at < %s AND {where}
    """
    return sql, [begin, end, *scope_params]


_COUNTS = (
    "COUNT(*) FILTER (WHERE s.decided_at <= t.due_at), "
    "COUNT(*) FILTER (WHERE s.decided_at > t.due_at)"
)


def on_time_by_person(scope: Scope, *, date_from: dt.date, date_to: dt.date) -> list[PersonOnTime]:
    body, params = _on_time_from(scope, date_from, date_to)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT r.document_type, {_PERSON}, {_COUNTS} {body} GROUP BY 1, 2", params)
        rows = cursor.fetchall()
    users = User.objects.in_bulk({row[1] for row in rows})
    result = [
        PersonOnTime(code, doctypes.label_for_code(code), users[user_id], on_time, late)
        for code, user_id, on_time, late in rows
    ]
    return sorted(result, key=lambda r: (r.label, -r.late, r.user.get_full_name()))


def on_time_by_week(scope: Scope, *, date_from: dt.date, date_to: dt.date) -> list[WeekOnTime]:
    body, params = _on_time_from(scope, date_from, date_to)
    tz = timezone.get_current_timezone_name()
    week = "DATE_TRUNC('week', s.decided_at AT TIME ZONE %s)::date"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {week}, {_COUNTS} {body} GROUP BY 1 ORDER BY 1", [tz, *params])
        return [WeekOnTime(*row) for row in cursor.fetchall()]


PERIOD_CACHE_SECONDS = 300


def period_figures(scope: Scope, *, date_from: dt.date, date_to: dt.date) -> tuple:
    """Stage times, on-time per person and per week of a period. They read every step decided in
    it, so they are kept for five minutes per scope, period and language (decisions already
    taken do not change; a new one shows within five minutes); the open-document figures are
    always live."""
    departments = "all" if scope.everything else ",".join(map(str, scope.department_ids))
    key = f"{departments}:{date_from.isoformat()}:{date_to.isoformat()}:{get_language()}"
    digest = hashlib.sha256(key.encode()).hexdigest()

    def compute():
        period = {"date_from": date_from, "date_to": date_to}
        return (
            stage_times(scope, **period),
            on_time_by_person(scope, **period),
            on_time_by_week(scope, **period),
        )

    return cache.get_or_set(f"control:period:{digest}", compute, PERIOD_CACHE_SECONDS)
