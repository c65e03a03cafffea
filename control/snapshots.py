"""The dashboard's figures of a scope and period, read from the worker's snapshot or computed.

After each rollup refresh the worker takes, for the whole organisation and for the scope of every
head, the figures of the default period (the last 90 days) as the SQL returns them: open, overdue
and due this week by type and by person, stage times and on-time counts. The page's default view
reads that one row and says when it was taken; another period is computed on the spot (the
period figures from the rollup, the open ones live). A snapshot older than a day is not shown."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from control import dashboard, stats
from control.forms import DEFAULT_PERIOD_DAYS
from control.models import DashboardSnapshot
from control.scope import Scope, scope_for
from workflow.models import Department

User = get_user_model()

MAX_AGE = dt.timedelta(days=1)
_LOCK = 7_301_014  # pg_advisory_xact_lock key of the snapshots' refresh


@dataclass
class Figures:
    by_type: list
    by_department: list
    stages: list
    on_time: list
    weeks: list
    date_from: dt.date
    date_to: dt.date
    # when the worker took them; None when computed for this request
    taken_at: dt.datetime | None = None


def scope_key(scope: Scope) -> str:
    return "all" if scope.everything else ",".join(map(str, sorted(scope.department_ids)))


def default_period(now: dt.datetime) -> tuple[dt.date, dt.date]:
    today = timezone.localdate(now)
    return today - dt.timedelta(days=DEFAULT_PERIOD_DAYS), today


def _raw(scope: Scope, now: dt.datetime, date_from: dt.date, date_to: dt.date) -> dict:
    """The figures as SQL returns them (JSON-ready lists of rows)."""
    return {
        "types": dashboard.type_rows(scope, now),
        "people": dashboard.person_rows(scope, now),
        "stages": stats.stage_rows(scope, date_from, date_to),
        "ontime": stats.on_time_rows(scope, date_from, date_to),
        "weeks": stats.week_rows(scope, date_from, date_to),
    }


def _figures(raw: dict, date_from, date_to, taken_at=None) -> Figures:
    return Figures(
        by_type=dashboard.types_from(raw["types"]),
        by_department=dashboard.people_from(raw["people"]),
        stages=stats.stages_from(raw["stages"]),
        on_time=stats.on_time_from(raw["ontime"]),
        weeks=stats.weeks_from(raw["weeks"]),
        date_from=date_from,
        date_to=date_to,
        taken_at=taken_at,
    )


def figures_for(
    scope: Scope,
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Figures:
    """The figures of ``scope``: without a period (the default view) or for the snapshot's own
    period, from a fresh enough snapshot; else computed now."""
    now = now or timezone.now()
    snapshot = (
        DashboardSnapshot.objects.filter(scope_key=scope_key(scope), computed_at__gte=now - MAX_AGE)
        .only("computed_at", "date_from", "date_to", "payload")
        .first()
    )
    asked = (date_from, date_to)
    if snapshot and (asked == (None, None) or asked == (snapshot.date_from, snapshot.date_to)):
        return _figures(
            snapshot.payload, snapshot.date_from, snapshot.date_to, snapshot.computed_at
        )
    if date_from is None or date_to is None:
        date_from, date_to = default_period(now)
    return _figures(_raw(scope, now, date_from, date_to), date_from, date_to)


def snapshot_scopes() -> dict[str, Scope]:
    """The whole organisation and the scope of every head of a department."""
    scopes = {"all": Scope(everything=True)}
    heads = Department.objects.filter(head__isnull=False).values("head_id")
    for head in User.objects.filter(pk__in=heads, is_active=True).select_related("employee"):
        scope = scope_for(head)
        if scope is not None:
            scopes[scope_key(scope)] = scope
    return scopes


def snapshots_refresh(now: dt.datetime | None = None) -> int:
    """Takes every scope's figures of the default period in one transaction; returns how many."""
    now = now or timezone.now()
    date_from, date_to = default_period(now)
    scopes = snapshot_scopes()
    with transaction.atomic(), connection.cursor() as cursor:
        # two runs at once would race to create the same rows: the second waits
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
        for key, scope in scopes.items():
            DashboardSnapshot.objects.update_or_create(
                scope_key=key,
                defaults={
                    "computed_at": now,
                    "date_from": date_from,
                    "date_to": date_to,
                    "payload": _raw(scope, now, date_from, date_to),
                },
            )
        DashboardSnapshot.objects.exclude(scope_key__in=list(scopes)).delete()
    return len(scopes)
