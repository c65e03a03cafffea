"""Figures over a period from the rollup of decided route steps (``control.rollup``): time per
stage (median and p90 in working days, by percentile_cont in SQL) and decisions on time against
late, per person and per week. Each reads the period's rows of one covering index."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from control import doctypes
from control.scope import Scope

User = get_user_model()


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


def _bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(date_from, dt.time.min, tzinfo=tz),
        dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def _facts(scope: Scope, date_from: dt.date, date_to: dt.date, condition: str) -> tuple:
    """FROM and WHERE over the rollup's steps decided in [date_from, date_to] in ``scope``: the
    whole organisation reads one index range; a scope joins its people's employee rows."""
    begin, end = _bounds(date_from, date_to)
    period = f"f.decided_at >= %s AND f.decided_at < %s AND {condition}"
    if scope.everything:
        return f"FROM control_stepfact f WHERE {period}", [begin, end]
    where, scope_params = scope.sql()
    sql = f"""
        FROM workflow_employee e
        JOIN control_stepfact f ON f.person_id = e.user_id
        WHERE {where} AND {period}
    """
    return sql, [*scope_params, begin, end]


def stage_rows(scope: Scope, date_from: dt.date, date_to: dt.date) -> list[tuple]:
    """(document type, stage, steps, median, p90) of the steps decided in the period."""
    body, params = _facts(scope, date_from, date_to, "f.days IS NOT NULL")
    sql = f"""
        SELECT f.document_type, f.stage, COUNT(*),
               PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY f.days),
               PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY f.days)
        {body} GROUP BY 1, 2
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def stages_from(rows) -> list[StageTime]:
    result = [
        StageTime(
            code, doctypes.label_for_code(code), stage, count, max(median, 0.0), max(p90, 0.0)
        )
        for code, stage, count, median, p90 in rows
    ]
    return sorted(result, key=lambda r: (r.label, -r.median, r.stage))


def stage_times(scope: Scope, *, date_from: dt.date, date_to: dt.date) -> list[StageTime]:
    """Steps decided in [date_from, date_to], grouped by document type and stage name."""
    return stages_from(stage_rows(scope, date_from, date_to))


_COUNTS = "COUNT(*) FILTER (WHERE f.on_time), COUNT(*) FILTER (WHERE NOT f.on_time)"
_WITH_DEADLINE = "f.on_time IS NOT NULL"


def on_time_rows(scope: Scope, date_from: dt.date, date_to: dt.date) -> list[tuple]:
    """(document type, user id, on time, late) of the decisions with a deadline."""
    body, params = _facts(scope, date_from, date_to, _WITH_DEADLINE)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT f.document_type, f.person_id, {_COUNTS} {body} GROUP BY 1, 2", params
        )
        return cursor.fetchall()


def on_time_from(rows) -> list[PersonOnTime]:
    users = User.objects.in_bulk({row[1] for row in rows if row[1] is not None})
    result = [
        PersonOnTime(code, doctypes.label_for_code(code), users[user_id], on_time, late)
        for code, user_id, on_time, late in rows
        if user_id in users
    ]
    return sorted(result, key=lambda r: (r.label, -r.late, r.user.get_full_name()))


def on_time_by_person(scope: Scope, *, date_from: dt.date, date_to: dt.date) -> list[PersonOnTime]:
    return on_time_from(on_time_rows(scope, date_from, date_to))


def week_rows(scope: Scope, date_from: dt.date, date_to: dt.date) -> list[tuple]:
    """(Monday as ISO date, on time, late) per week of decision, local time."""
    body, params = _facts(scope, date_from, date_to, _WITH_DEADLINE)
    tz = timezone.get_current_timezone_name()
    week = "TO_CHAR(DATE_TRUNC('week', f.decided_at AT TIME ZONE %s), 'YYYY-MM-DD')"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {week}, {_COUNTS} {body} GROUP BY 1 ORDER BY 1", [tz, *params])
        return cursor.fetchall()


def weeks_from(rows) -> list[WeekOnTime]:
    return [WeekOnTime(dt.date.fromisoformat(week), *counts) for week, *counts in rows]


def on_time_by_week(scope: Scope, *, date_from: dt.date, date_to: dt.date) -> list[WeekOnTime]:
    return weeks_from(week_rows(scope, date_from, date_to))
