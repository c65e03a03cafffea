"""Contracts: route planning with 15 participants, submit time, and the list/search, kanban and
card pages for 10, 1,000 and 10,000 contracts (queries per page, median and p95 of 20 requests)."""

import statistics
import time
from decimal import Decimal

from _setup import setup_database

teardown = setup_database()
try:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from contracts import services
    from contracts.models import ApprovalRule, ApproverKind, Contract, ContractStatus
    from contracts.routing import route_plan
    from contracts.testing import theatre
    from crm.models import Counterparty
    from tests.factories import employee, small_org
    from workflow.routes.plan import participant_count

    org = small_org()
    board, sales = org["departments"]["board"], org["departments"]["sales"]
    t = theatre(org)
    for i in range(11):
        ApprovalRule.objects.create(
            name=f"Согласующий {i}",
            contract_type=t["income"],
            approver_kind=ApproverKind.USER,
            approver_user=employee(f"approver{i}", board),
            group=2 + i % 2,
        )
    counterparty = Counterparty.objects.create(name="ООО «Свет сцены»")
    sample = services.contract_create(
        initiator=t["seller"],
        data={
            "contract_type": t["income"],
            "subject": "Билеты",
            "counterparty": counterparty,
            "amount": Decimal("1000"),
            "fund": t["budget"],
        },
    )
    timings = []
    for _ in range(20):
        start = time.perf_counter()
        plan = route_plan(sample)
        timings.append((time.perf_counter() - start) * 1000)
    people = participant_count(plan)
    print(f"route of {people} participants: median {statistics.median(timings):.1f} ms")
    start = time.perf_counter()
    services.contract_submit(contract_id=sample.pk, user=t["seller"])
    print(f"submit with {people} participants: {(time.perf_counter() - start) * 1000:.1f} ms")

    client = Client()
    client.force_login(t["sales_head"])
    pages = {
        "list": "/contracts/",
        "search": "/contracts/?q=сцены+9",
        "kanban": f"/contracts/kanban/?contract_type={t['income'].pk}",
        "card": f"/contracts/{sample.pk}/",
    }
    print(f"{'contracts':>9} {'page':>7} {'queries':>8} {'median ms':>10} {'p95 ms':>8}")
    created = Contract.objects.count()
    statuses = [ContractStatus.DRAFT, ContractStatus.ACTIVE, ContractStatus.REJECTED]
    for size in (10, 1000, 10000):
        batch = [
            Contract(
                number=i + 1000,
                name=f"Доходный: продажа билетов № {i + 1000} — ООО «Свет сцены» — Показ {i}",
                contract_type=t["income"],
                subject=f"Показ {i}",
                counterparty=counterparty,
                amount=Decimal(1000 + i),
                initiator=t["seller"],
                department=sales,
                status=statuses[i % 3],
                created_at=timezone.now(),
            )
            for i in range(created, size)
        ]
        Contract.objects.bulk_create(batch, batch_size=2000)
        created = max(created, size)
        for label, url in pages.items():
            client.get(url)
            queries: list[str] = []

            def count(run, sql, *args, queries=queries):
                queries.append(sql)
                return run(sql, *args)

            with connection.execute_wrapper(count):
                client.get(url)
            times = []
            for _ in range(20):
                start = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
            times.sort()
            print(
                f"{size:>9} {label:>7} {len(queries):>8} {statistics.median(times):>10.1f} "
                f"{times[int(len(times) * 0.95) - 1]:>8.1f}"
            )
finally:
    teardown()
