"""The rollup behind the dashboard's period figures: one ``StepFact`` row per decided route step,
with its working-day duration and on-time flag computed once, by the worker.

A decided step never changes, so the rollup only grows. Each run adds the decided steps it lacks,
oldest decision first, from an hour before its newest decision on (a decision stamped before the
newest one but committed after the last run is still found); ``ON CONFLICT DO NOTHING`` and an
advisory lock make a repeated or concurrent run harmless. A step decided with a date further in
the past (an import) needs ``manage.py control_rollup --rebuild``.

A step's time is its elapsed time minus the non-working days it spans (the production calendar of
``workflow.calendar``), in days of 24 hours, computed in SQL from the calendar as two arrays."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from control.models import RollupState
from workflow.calendar import is_working_day

STEP_FACTS = "step_facts"
# how far before the newest decision in the rollup a run looks again (late commits)
OVERLAP = dt.timedelta(hours=1)
# steps added per run: a first fill of a large database spreads over several runs
BATCH = 100_000
_LOCK = 7_301_013  # pg_advisory_xact_lock key of the refresh


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
    time; days outside the calendar count as its first or last day."""
    local = f"({column} AT TIME ZONE cal.tz)"
    index = f"LEAST(GREATEST({local}::date - cal.base + 1, 1), cal.days)"
    return (
        f"(86400 * cal.before[{index}] + CASE WHEN cal.off[{index}] "
        f"THEN EXTRACT(EPOCH FROM {local} - {local}::date) ELSE 0 END)"
    )


_INSERT = f"""
    WITH cal AS (
        SELECT %s::int[] AS before, %s::bool[] AS off, %s::date AS base, %s::int AS days,
               %s::text AS tz
    )
    INSERT INTO control_stepfact
        (step_id, decided_at, document_type, stage, person_id, days, on_time)
    SELECT s.id, s.decided_at, r.document_type, st.name,
           COALESCE(s.decided_by_id, s.deputy_id, s.participant_id),
           CASE WHEN s.started_at IS NOT NULL THEN
               (EXTRACT(EPOCH FROM s.decided_at - s.started_at)
                - {_off_seconds_until("s.decided_at")}
                + {_off_seconds_until("s.started_at")}) / 86400.0
           END,
           CASE WHEN t.due_at IS NOT NULL THEN s.decided_at <= t.due_at END
    FROM workflow_routestep s
    CROSS JOIN cal
    JOIN workflow_routestage st ON st.id = s.stage_id
    JOIN workflow_route r ON r.id = s.route_id
    LEFT JOIN workflow_task t ON t.id = s.task_id
    WHERE s.id = ANY(%s)
    ON CONFLICT (step_id) DO NOTHING
"""


def _missing_steps(cursor, batch: int) -> list[int]:
    """Ids of decided steps not in the rollup yet, oldest decision first."""
    cursor.execute("SELECT MAX(decided_at) FROM control_stepfact")
    (newest,) = cursor.fetchone()
    since, params = "", []
    if newest is not None:
        since, params = "AND s.decided_at >= %s", [newest - OVERLAP]
    cursor.execute(
        f"""
        SELECT s.id FROM workflow_routestep s
        WHERE s.status = 'decided' AND s.decided_at IS NOT NULL {since}
          AND NOT EXISTS (SELECT 1 FROM control_stepfact f WHERE f.step_id = s.id)
        ORDER BY s.decided_at, s.id
        LIMIT %s
        """,
        [*params, batch],
    )
    return [row[0] for row in cursor.fetchall()]


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def step_facts_refresh(*, batch: int = BATCH) -> int:
    """Adds up to ``batch`` decided steps missing from the rollup; returns how many. When the
    rollup is complete, records the moment (the dashboard shows it)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
        ids = _missing_steps(cursor, batch)
        added = 0
        if ids:
            cursor.execute(
                "SELECT MIN(LEAST(started_at, decided_at)), MAX(GREATEST(started_at, decided_at))"
                " FROM workflow_routestep WHERE id = ANY(%s)",
                [ids],
            )
            first, last = cursor.fetchone()
            calendar = calendar_from(_local_date(first), _local_date(last))
            cursor.execute(
                _INSERT,
                [
                    calendar.before,
                    calendar.off,
                    calendar.base,
                    len(calendar.before),
                    timezone.get_current_timezone_name(),
                    ids,
                ],
            )
            added = cursor.rowcount
        if len(ids) < batch:
            RollupState.objects.update_or_create(
                name=STEP_FACTS, defaults={"refreshed_at": timezone.now()}
            )
        return added


def step_facts_rebuild(*, batch: int = BATCH, progress=None) -> int:
    """Empties the rollup and fills it again from the route steps, batch after batch (each its
    own transaction); returns the number of rows."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
        # TRUNCATE refuses to run with deferred foreign-key checks still pending
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE control_stepfact")
        RollupState.objects.filter(name=STEP_FACTS).delete()
    total = 0
    while True:
        added = step_facts_refresh(batch=batch)
        total += added
        if progress:
            progress(total)
        if not RollupState.objects.filter(name=STEP_FACTS).exists():
            continue
        return total


def refreshed_at() -> dt.datetime | None:
    """When the rollup was last complete, or None before its first complete run."""
    return (
        RollupState.objects.filter(name=STEP_FACTS).values_list("refreshed_at", flat=True).first()
    )
