"""Inbox page: SQL queries and server time for 10, 500 and 5,000 open tasks.

Prints one line per size: queries per page and the median of 20 requests.
"""

import datetime as dt
import statistics
import time

from _setup import setup_database

teardown = setup_database()
try:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from tests.factories import DepartmentFactory, employee
    from workflow.models import Task

    department = DepartmentFactory()
    head = employee("bench_head", head_of=department)
    worker = employee("bench_worker", department)
    client = Client()
    client.force_login(worker)
    print(f"{'tasks':>6} {'queries':>8} {'median ms':>10} {'p95 ms':>8}")
    created = 0
    for size in (10, 500, 5000):
        now = timezone.now()
        Task.objects.bulk_create(
            Task(
                kind="workflow.instruction",
                title=f"Задание {i}",
                assignee=worker,
                created_by=head,
                due_at=now + dt.timedelta(hours=i % 200 - 100),
            )
            for i in range(created, size)
        )
        created = size
        client.get("/tasks/")  # warm up
        queries: list[str] = []

        def count(run, sql, *args, queries=queries):
            queries.append(sql)
            return run(sql, *args)

        with connection.execute_wrapper(count):
            client.get("/tasks/")
        timings = []
        for _ in range(20):
            start = time.perf_counter()
            response = client.get("/tasks/")
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        timings.sort()
        print(
            f"{size:>6} {len(queries):>8} {statistics.median(timings):>10.1f} "
            f"{timings[int(len(timings) * 0.95) - 1]:>8.1f}"
        )
finally:
    teardown()
