"""Timer sweep throughput: timers per second, SQL queries and queue jobs per batch, and how long
a backlog of 100,000 due timers takes to clear (one sweep call per minute of the schedule,
each at most 50 s).

    python bench/timers.py [--backlog 100000]

Creates a throw-away database (production settings, so flush jobs are queued, not run), prints
figures, asserts nothing about time.
"""

import argparse
import datetime as dt
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "argo_docs.settings.base")
os.environ.setdefault("SECRET_KEY", "bench-timers-not-a-secret")
os.environ.setdefault("ARGO_HTTPS", "false")

from _setup import setup_database  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--backlog", type=int, default=100_000)
parser.add_argument("--sample", type=int, default=10_000)
args = parser.parse_args()

teardown = setup_database()
try:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from django.utils import timezone
    from django_q.models import OrmQ

    from tests.factories import small_org
    from workflow import services
    from workflow.jobs import timers_sweep
    from workflow.models import Task, Timer

    org = small_org()
    people = [org["seller"], org["seller2"], org["sales_head"]]
    task_type = ContentType.objects.get_for_model(Task)

    def backlog(count: int) -> None:
        """``count`` due timers: half reminders, half escalations, of count/2 open tasks."""
        past = timezone.now() - dt.timedelta(hours=1)
        tasks = Task.objects.bulk_create(
            (
                Task(
                    kind=services.INSTRUCTION,
                    title=f"Отчёт {n}",
                    assignee=people[n % len(people)],
                    created_by=org["gendir"],
                    due_at=past,
                )
                for n in range(count // 2)
            ),
            batch_size=5000,
        )
        Timer.objects.bulk_create(
            (
                Timer(kind=kind, content_type=task_type, object_id=t.pk, due_at=past)
                for t in tasks
                for kind in (services.TASK_REMINDER, services.TASK_ESCALATION)
            ),
            batch_size=5000,
        )
        connection.cursor().execute("ANALYZE")

    with open("/proc/loadavg") as f:
        print(f"load average before: {f.read().split()[0]}")
    backlog(args.sample)
    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    jobs_before = OrmQ.objects.count()
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        fired = timers_sweep()
    seconds = time.perf_counter() - started
    jobs = OrmQ.objects.count() - jobs_before
    print(
        f"sample: {fired} timers in {seconds:.2f} s = {fired / seconds:.0f} timers/s, "
        f"{queries[0] / fired:.2f} queries per timer, {jobs} queue job(s) "
        f"(one outbox flush per batch of 500)"
    )

    backlog(args.backlog)
    started = time.perf_counter()
    calls, fired = 0, 0
    while Timer.objects.filter(fired_at__isnull=True, due_at__lte=timezone.now()).exists():
        fired += timers_sweep()
        calls += 1
    seconds = time.perf_counter() - started
    print(
        f"backlog: {fired} timers cleared in {seconds:.1f} s over {calls} sweep call(s) "
        f"= {fired / seconds:.0f} timers/s"
    )
    with open("/proc/loadavg") as f:
        print(f"load average after: {f.read().split()[0]}")
finally:
    teardown()
