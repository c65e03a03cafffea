"""The control dashboard's rollup on the configured (scale) database: fills it, takes the
dashboard's snapshots, times the figures of the whole organisation and of the ``head`` user, and
checks every snapshot figure against a direct recount from workflow_routestep/workflow_task.

    python bench/control_rollup.py [--rebuild]

Prints figures and asserts nothing about time; exits with 1 when a figure differs from the
recount.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "argo_docs.settings.base")
os.environ.setdefault("SECRET_KEY", "bench-control-not-a-secret")


def timed(label: str, function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    print(f"{label}: {(time.perf_counter() - start) * 1000:.1f} ms", flush=True)
    return result


def recount_period(scope, date_from: dt.date, date_to: dt.date) -> dict:
    """Stage times, on-time per person and per week straight from the route steps, with the
    calendar arithmetic in SQL over a calendar covering every step."""
    from django.db import connection
    from django.utils import timezone

    from control.rollup import _off_seconds_until, calendar_from
    from control.stats import _bounds

    begin, end = _bounds(date_from, date_to)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT MIN(started_at) FROM workflow_routestep WHERE status = 'decided'"
            " AND decided_at >= %s AND decided_at < %s",
            [begin, end],
        )
        (first,) = cursor.fetchone()
        calendar = calendar_from(timezone.localtime(first or begin).date(), date_to)
        where, scope_params = scope.sql()
        cursor.execute(
            f"""
            WITH cal AS (
                SELECT %s::int[] AS before, %s::bool[] AS off, %s::date AS base,
                       %s::int AS days, %s::text AS tz
            ), steps AS (
                SELECT r.document_type AS code, st.name AS stage, s.decided_at,
                       COALESCE(s.decided_by_id, s.deputy_id, s.participant_id) AS person,
                       CASE WHEN s.started_at IS NOT NULL THEN
                           (EXTRACT(EPOCH FROM s.decided_at - s.started_at)
                            - {_off_seconds_until("s.decided_at")}
                            + {_off_seconds_until("s.started_at")}) / 86400.0 END AS days,
                       t.due_at
                FROM workflow_routestep s CROSS JOIN cal
                JOIN workflow_routestage st ON st.id = s.stage_id
                JOIN workflow_route r ON r.id = s.route_id
                LEFT JOIN workflow_task t ON t.id = s.task_id
                LEFT JOIN workflow_employee e
                  ON e.user_id = COALESCE(s.decided_by_id, s.deputy_id, s.participant_id)
                WHERE s.status = 'decided' AND s.decided_at >= %s AND s.decided_at < %s
                  AND {where}
            )
            SELECT 'stages', code, stage, COUNT(*)::float,
                   PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY days),
                   PERCENTILE_CONT(0.9) WITHIN GROUP (ORDER BY days)
            FROM steps WHERE days IS NOT NULL GROUP BY code, stage
            UNION ALL
            SELECT 'ontime', code, person::text, 0, COUNT(*) FILTER (WHERE decided_at <= due_at),
                   COUNT(*) FILTER (WHERE decided_at > due_at)
            FROM steps WHERE due_at IS NOT NULL GROUP BY code, person
            UNION ALL
            SELECT 'weeks', TO_CHAR(DATE_TRUNC('week', decided_at AT TIME ZONE %s), 'YYYY-MM-DD'),
                   '', 0, COUNT(*) FILTER (WHERE decided_at <= due_at),
                   COUNT(*) FILTER (WHERE decided_at > due_at)
            FROM steps WHERE due_at IS NOT NULL GROUP BY 2
            """,
            [
                calendar.before,
                calendar.off,
                calendar.base,
                len(calendar.before),
                timezone.get_current_timezone_name(),
                begin,
                end,
                *scope_params,
                timezone.get_current_timezone_name(),
            ],
        )
        rows = cursor.fetchall()
    return {
        "stages": {(r[1], r[2]): (int(r[3]), r[4], r[5]) for r in rows if r[0] == "stages"},
        "ontime": {(r[1], int(r[2])): (int(r[4]), int(r[5])) for r in rows if r[0] == "ontime"},
        "weeks": {r[1]: (int(r[4]), int(r[5])) for r in rows if r[0] == "weeks"},
    }


def recount_open(scope, now: dt.datetime) -> dict:
    """Open, overdue and due-this-week documents counted in Python from the open tasks."""
    from django.db import connection

    from control.dashboard import week_end

    where, params = scope.sql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT t.id, t.assignee_id, e.department_id, t.content_type_id, t.object_id,
                       t.due_at
                FROM workflow_task t LEFT JOIN workflow_employee e ON e.user_id = t.assignee_id
                WHERE t.status = 'open' AND {where}""",
            params,
        )
        tasks = cursor.fetchall()
    end = week_end(now)
    by_type, by_person = {}, {}
    for pk, assignee, department, ct, object_id, due in tasks:
        document = (ct or 0, object_id or -pk)
        for table, key in ((by_type, ct or 0), (by_person, (department, assignee))):
            sets = table.setdefault(key, (set(), set(), set()))
            sets[0].add(document)
            if due and due < now:
                sets[1].add(document)
            if due and now <= due < end:
                sets[2].add(document)
    return {
        "types": {k: tuple(map(len, v)) for k, v in by_type.items()},
        "people": {k: tuple(map(len, v)) for k, v in by_person.items()},
    }


def differences(snapshot, scope) -> list[str]:
    payload = snapshot.payload
    shown = {
        "stages": {(c, s): (n, m, p) for c, s, n, m, p in payload["stages"]},
        "ontime": {(c, u): (a, b) for c, u, a, b in payload["ontime"]},
        "weeks": {w: (a, b) for w, a, b in payload["weeks"]},
        "types": {ct: tuple(v) for ct, *v in payload["types"]},
        "people": {(d, u): tuple(v) for d, u, *v in payload["people"]},
    }
    expected = recount_period(scope, snapshot.date_from, snapshot.date_to)
    expected |= recount_open(scope, snapshot.computed_at)
    found = []
    for name, rows in expected.items():
        if shown[name].keys() != rows.keys():
            found.append(f"{name}: keys differ")
            continue
        for key, values in rows.items():
            got = shown[name][key]
            if any(abs(float(a) - float(b)) > 1e-9 for a, b in zip(got, values, strict=True)):
                found.append(f"{name} {key}: shown {got}, recounted {values}")
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true", help="empty the rollup and fill it")
    args = parser.parse_args(argv)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from control import rollup, snapshots
    from control.models import DashboardSnapshot, StepFact
    from control.scope import scope_for

    with open("/proc/loadavg") as f:
        print(f"load average before: {f.read().split()[0]}", flush=True)
    if args.rebuild:
        timed("rollup rebuilt", rollup.step_facts_rebuild)
    else:
        timed("rollup filled", lambda: [None for _ in iter(rollup.step_facts_refresh, 0)])
    timed("VACUUM ANALYZE", connection.cursor().execute, "VACUUM ANALYZE control_stepfact")
    print(f"rollup rows: {StepFact.objects.count()}")
    timed("the job's run when up to date: rollup", rollup.step_facts_refresh)
    count = timed("the job's run: snapshots", snapshots.snapshots_refresh)
    print(f"snapshots: {count}")

    users = get_user_model().objects
    failed = False
    for name in ("director", "head"):
        scope = scope_for(users.get(username=name))
        timed(f"{name}: figures from the snapshot", snapshots.figures_for, scope)
        date_from, date_to = snapshots.default_period(timezone.now())
        timed(
            f"{name}: figures computed (period one day longer)",
            snapshots.figures_for,
            scope,
            date_from=date_from - dt.timedelta(days=1),
            date_to=date_to,
        )
        snapshot = DashboardSnapshot.objects.get(scope_key=snapshots.scope_key(scope))
        found = timed(f"{name}: direct recount", differences, snapshot, scope)
        print(f"{name}: {'agrees with' if not found else 'DIFFERS from'} the direct recount")
        for line in found[:20]:
            print("   ", line)
        failed |= bool(found)
    with open("/proc/loadavg") as f:
        print(f"load average after: {f.read().split()[0]}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
