"""The timer sweep: claim due timers in batches, fire them, mark them, never twice.

A batch is claimed with SELECT ... FOR UPDATE SKIP LOCKED and marked fired in the same
transaction as its handlers' writes, so a timer fires exactly once even if two sweeps run or a
worker dies mid-batch (its transaction rolls back and the timers are due again). Kinds with a
batch handler (``registry.register_timer_batch_handler``) fire in a few set-based queries; if
that handler fails, the batch's timers of that kind fire one at a time through ``timer_fire``,
which retries a failing timer with back-off and marks it failed after five attempts. A
PostgreSQL advisory lock keeps a second sweep (the next minute's schedule while this one still
runs) from starting at all; the lock dies with the worker's connection.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict

from django.db import connection, transaction
from django.utils import timezone

from workflow import registry
from workflow.models import Timer
from workflow.services import timer_fire

logger = logging.getLogger(__name__)

# pg_advisory_lock key of the sweep ("ARGT")
SWEEP_LOCK = 0x41524754


def _claim(batch_size: int) -> list[Timer]:
    return list(
        Timer.objects.select_for_update(skip_locked=True)
        .filter(
            due_at__lte=timezone.now(),
            fired_at__isnull=True,
            cancelled_at__isnull=True,
            failed_at__isnull=True,
        )
        .order_by("due_at", "id")[:batch_size]
    )


def batch_fire(batch: list[Timer]) -> int:
    """Fire claimed (row-locked) timers inside the caller's transaction; returns how many
    handlers succeeded."""
    by_kind: dict[str, list[Timer]] = defaultdict(list)
    for timer in batch:
        by_kind[timer.kind].append(timer)
    fired = 0
    for kind, timers in by_kind.items():
        handler = registry.timer_batch_handler(kind)
        if handler is not None:
            try:
                with transaction.atomic():
                    handler(timers)
            except Exception:  # the single handlers will say which timer is broken
                logger.exception(
                    "batch of %s %s timer(s) failed; firing one by one", len(timers), kind
                )
            else:
                Timer.objects.filter(pk__in=[t.pk for t in timers]).update(fired_at=timezone.now())
                fired += len(timers)
                continue
        for timer in timers:
            fired += timer_fire(timer=timer)
    return fired


def sweep(*, batch_size: int, seconds: float) -> int | None:
    """Fire due timers until none is left or ``seconds`` have passed (the rest waits for the
    next run). Returns how many fired, or None when another sweep holds the lock."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [SWEEP_LOCK])
        if not cursor.fetchone()[0]:
            return None
    try:
        fired = 0
        deadline = time.monotonic() + seconds
        while True:
            with transaction.atomic():
                batch = _claim(batch_size)
                fired += batch_fire(batch)
            if len(batch) < batch_size or time.monotonic() >= deadline:
                return fired
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [SWEEP_LOCK])
