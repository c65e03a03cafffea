"""Figures from the route engine's step data over a period: time per stage (median and p90 in
working days, by percentile_cont in SQL) and decisions on time against late, per person and per
week. A step's time is its elapsed time minus the non-working days it spans (the production
calendar of ``workflow.calendar``), in days of 24 hours."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

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


def non_working_intervals(start: dt.date, end: dt.date) -> tuple[list, list]:
    """[midnight, next midnight) in local time of every non-working day from start to end."""
    starts, ends = [], []
    tz = timezone.get_current_timezone()
    day = start
    while day <= end:
        if not is_working_day(day):
            begin = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
            following = day + dt.timedelta(days=1)
            starts.append(begin)
            ends.append(dt.datetime.combine(following, dt.time.min, tzinfo=tz))
        day += dt.timedelta(days=1)
    return starts, ends


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
    off_starts, off_ends = non_working_intervals(date_from - _LOOKBACK, date_to)
    where, scope_params = scope.sql()
    sql = f"""
        WITH timed AS (
            SELECT r.document_type, st.name AS stage,
                   (EXTRACT(EPOCH FROM s.decided_at - s.started_at) - COALESCE((
                        SELECT SUM(EXTRACT(EPOCH FROM LEAST(s.decided_at, off.e)
                                                      - GREATEST(s.started_at, off.s)))
                        FROM UNNEST(%s::timestamptz[], %s::timestamptz[]) AS off(s, e)
                        WHERE off.s < s.decided_at AND off.e > s.started_at
                   ), 0)) / 86400.0 AS days
            FROM workflow_routestep s
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
    with connection.cursor() as cursor:
        cursor.execute(sql, [off_starts, off_ends, begin, end, *scope_params])
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
