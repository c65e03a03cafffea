"""Outgoing register («Журнал исходящих»): queries and time per page, filters and Excel export,
for 1,000 and 20,000 letters, as the general director (full list) and as an employee who sees
only their own letters and those of their tasks (the visibility subquery).

Prints one line per case; asserts nothing about time.
"""

import time

from _setup import setup_database

teardown = setup_database()
try:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from correspondence.models import OutgoingLetter, Thread
    from correspondence.testing import build_world
    from crm.models import Counterparty
    from tests.factories import small_org

    org = small_org()
    entity = org["departments"]["board"].legal_entity
    world = build_world(org)
    counterparties = list(Counterparty.objects.all())
    today = timezone.localdate()
    statuses = ["draft", "approval", "registered", "sent", "awaiting_reaction", "closed"]

    def grow(total: int) -> None:
        have = OutgoingLetter.objects.count()
        threads = Thread.objects.bulk_create(
            [
                Thread(counterparty=counterparties[i % 3], subject=f"Письмо {i}")
                for i in range(have, total)
            ]
        )
        OutgoingLetter.objects.bulk_create(
            [
                OutgoingLetter(
                    legal_entity=entity,
                    counterparty=thread.counterparty,
                    subject=f"Письмо {i} о продлении",
                    author=world["seller"] if i % 2 else world["seller2"],
                    executor=world["seller"] if i % 2 else world["seller2"],
                    thread=thread,
                    control_date=today,
                    status=statuses[i % len(statuses)],
                )
                for i, thread in zip(range(have, total), threads, strict=True)
            ],
            batch_size=2000,
        )

    print(f"{'letters':>8} {'user':>8} {'case':>22} {'queries':>8} {'db ms':>8} {'wall ms':>8}")
    for total in (1000, 20000):
        grow(total)
        connection.cursor().execute("ANALYZE")
        for username in ("gendir", "seller"):
            client = Client()
            client.force_login(world[username])
            cases = [
                ("page 25", "/letters/outgoing/"),
                ("page 100", "/letters/outgoing/?per_page=100"),
                ("search + overdue", "/letters/outgoing/?q=продлении&overdue=on&sort=counterparty"),
                ("last page", "/letters/outgoing/?page=99999"),
                ("export xlsx", "/letters/outgoing/export.xlsx?status=sent"),
            ]
            for name, url in cases:
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(url)
                    wall = (time.perf_counter() - started) * 1000
                assert response.status_code == 200, (url, response.status_code)
                db = sum(float(q["time"]) for q in queries.captured_queries) * 1000
                print(
                    f"{total:>8} {username:>8} {name:>22} {len(queries.captured_queries):>8} "
                    f"{db:>8.1f} {wall:>8.1f}"
                )
finally:
    teardown()
