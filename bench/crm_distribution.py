"""Weekly call distribution: database time and query count for 2,000 companies / 10 managers
and 100,000 companies / 50 managers (everybody's quota set so that every company is assigned,
tasks for the managers included).

Prints one line per size; asserts nothing about time. Seed 003: Bitrix24 needed 10 s for 2,000.
"""

import datetime as dt
import time

from _setup import setup_database

teardown = setup_database()
try:
    from django.db import connection
    from django_q.conf import Conf

    # the test settings run jobs inline; here e-mail jobs go to the ORM queue as in production
    Conf.SYNC = False

    # one-time imports (holiday calendar, URL conf) are not part of the distribution's cost
    from django.urls import reverse

    from crm.models import CallAssignment, Counterparty, CounterpartyCategory, CrmSettings
    from crm.services.distribution import distribution_run
    from tests.factories import DepartmentFactory, employee
    from workflow import calendar
    from workflow.models import Task

    calendar.is_working_day(dt.date(2026, 11, 23))
    reverse("workflow:inbox")

    department = DepartmentFactory()
    print(
        f"{'companies':>10} {'managers':>9} {'assigned':>9} {'tasks':>6} {'queries':>8} "
        f"{'db ms':>8} {'wall ms':>8}"
    )
    monday = dt.date(2026, 11, 23)
    managers = 0
    companies = 0
    for week, (n_companies, n_managers) in enumerate([(2_000, 10), (100_000, 50)]):
        for i in range(managers, n_managers):
            employee(f"bench_manager{i}", department, roles=["manager"])
        managers = n_managers
        Counterparty.objects.bulk_create(
            (
                Counterparty(name=f"ООО «Клиент {i}»", category=CounterpartyCategory.CLIENT)
                for i in range(companies, n_companies)
            ),
            batch_size=5000,
        )
        companies = n_companies
        settings = CrmSettings.load()
        settings.distribution_quota = n_companies // n_managers
        settings.distribution_cursor = 0
        settings.save()
        tasks_before = Task.objects.count()
        db_time = [0.0]
        queries = [0]

        def timed(execute, sql, params, many, context, db_time=db_time, queries=queries):
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                db_time[0] += time.perf_counter() - start
                queries[0] += 1

        start = time.perf_counter()
        with connection.execute_wrapper(timed):
            week_obj = distribution_run(today=monday + dt.timedelta(days=7 * week))
        wall = (time.perf_counter() - start) * 1000
        assigned = CallAssignment.objects.filter(week=week_obj).count()
        tasks = Task.objects.count() - tasks_before
        print(
            f"{n_companies:>10} {n_managers:>9} {assigned:>9} {tasks:>6} {queries[0]:>8} "
            f"{db_time[0] * 1000:>8.1f} {wall:>8.1f}"
        )
finally:
    teardown()
