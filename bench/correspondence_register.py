"""Incoming register («Журнал входящих»): queries and time per page, filters and Excel export,
for 1,000 and 20,000 letters, as the office manager (full list) and as an employee who sees only
letters with their tasks (the visibility subquery).

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

    from correspondence.models import IncomingLetter, Thread
    from correspondence.testing import build_world
    from crm.models import Counterparty
    from tests.factories import small_org
    from workflow.models import Task

    org = small_org()
    entity = org["departments"]["board"].legal_entity
    world = build_world(org)
    from correspondence.models import RegistrationJournal

    journal = RegistrationJournal.objects.get(legal_entity=entity, direction="incoming")
    counterparties = list(Counterparty.objects.all())
    today = timezone.localdate()

    def grow(total: int) -> None:
        have = IncomingLetter.objects.count()
        batch_letters = []
        threads = Thread.objects.bulk_create(
            [
                Thread(counterparty=counterparties[i % 3], subject=f"Письмо {i}")
                for i in range(have, total)
            ]
        )
        for i, thread in zip(range(have, total), threads, strict=True):
            batch_letters.append(
                IncomingLetter(
                    journal=journal,
                    reg_number=f"Вх-{i + 1}/БЦ/{today.year}",
                    reg_year=today.year,
                    reg_sequence=i + 1,
                    legal_entity=entity,
                    counterparty=thread.counterparty,
                    subject=f"Письмо {i} о проверке",
                    received_on=today,
                    control_date=today,
                    responsible=world["seller"] if i % 2 else world["seller2"],
                    thread=thread,
                    registered_by=world["office"],
                )
            )
        created = IncomingLetter.objects.bulk_create(batch_letters, batch_size=2000)
        from django.contrib.contenttypes.models import ContentType

        ct = ContentType.objects.get_for_model(IncomingLetter)
        Task.objects.bulk_create(
            [
                Task(
                    kind="correspondence.execute",
                    title="Исполнить",
                    assignee=letter.responsible,
                    content_type=ct,
                    object_id=letter.pk,
                )
                for letter in created
            ],
            batch_size=2000,
        )

    print(f"{'letters':>8} {'user':>8} {'case':>22} {'queries':>8} {'db ms':>8} {'wall ms':>8}")
    for total in (1000, 20000):
        grow(total)
        connection.cursor().execute("ANALYZE")
        for username in ("office", "seller"):
            client = Client()
            client.force_login(world[username])
            cases = [
                ("page 25", "/letters/incoming/"),
                ("page 100", "/letters/incoming/?per_page=100"),
                ("search + overdue", "/letters/incoming/?q=проверке&overdue=on&sort=counterparty"),
                ("last page", "/letters/incoming/?page=99999"),
                ("export xlsx", "/letters/incoming/export.xlsx?category=tenant"),
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
