"""The company list at 100,000 companies: the page's queries (count capped at 10 000, one page
of 50) for the default sort, other sorts, filters and searches by name, ё, quotes, phone, email
and INN. For each: the served page's wall time (median of 5 through the test client) and the
database time of the page query from EXPLAIN ANALYZE, with the index the plan used.

Prints one line per case; asserts nothing about time.
"""

import random
import re
import statistics
import time

from _setup import setup_database

N = 100_000

teardown = setup_database()
try:
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the client records each response's context (the total)

    from crm import selectors
    from crm.models import Counterparty, Industry, name_key
    from crm.search import contact_keys
    from tests.factories import DepartmentFactory, employee

    department = DepartmentFactory()
    managers = [
        employee(f"m{i}", department, roles=["manager"], last_name=last, first_name="Анна")
        for i, last in enumerate(["Петрова", "Соколова", "Ёлкина", "Андреева", "Яковлева"])
    ]
    industries = [Industry.objects.create(name=n) for n in ("ЖКХ", "Торговля", "IT", "Стройка")]
    forms = ["ООО", "АО", "ИП", "ТСЖ", "ЗАО", "ПАО"]
    words = ["Ромашка", "Ёлочка", "Берёзка", "Север", "Нева", "Дом-Сервис", "Теплосеть"]
    words += ["Лифт", "Город", "Альфа", "Вектор", "Гранит", "Свет", "Мост", "Парус"]
    rng = random.Random(7)
    start = time.perf_counter()
    batch = []
    for i in range(N):
        name = f"{rng.choice(forms)} «{rng.choice(words)} {rng.choice(words)} {i}»"
        phone = f"+7 812 {i // 10000:03d}-{i // 100 % 100:02d}-{i % 100:02d}"
        email = f"office{i}@company{i % 997}.ru"
        batch.append(
            Counterparty(
                name=name,
                name_key=name_key(name),
                inn=f"78{i:08d}",
                phone=phone,
                email=email,
                category="client" if i % 5 else "tenant",
                industry=industries[i % 4],
                responsible=managers[i % 5] if i % 7 else None,
                contact_keys=contact_keys(phone=phone, email=email),
            )
        )
        if len(batch) == 5000:
            Counterparty.objects.bulk_create(batch)
            batch = []
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE crm_counterparty")
    print(f"filled {Counterparty.objects.count()} companies in {time.perf_counter() - start:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("SELECT collprovider FROM pg_collation WHERE collname = 'argo_ru'")
        provider = {"i": "ICU", "c": "libc", "d": "default"}.get(cursor.fetchone()[0], "?")
    print(f"collation argo_ru: {provider}")

    client = Client()
    client.force_login(managers[0])
    cases = [
        ("default sort (name)", {}),
        ("page 150", {"page": 150}),
        ("sort by manager", {"sort": "manager"}),
        ("sort by last contact", {"sort": "-contact"}),
        ("filter: industry", {"industry": industries[1].pk}),
        ("search word «ромашка»", {"q": "ромашка"}),
        ("search «Ёлочка Нева»", {"q": "«Ёлочка Нева»"}),
        ("search quoted exact", {"q": '"Ромашка Север 4242"'}),
        ("search common «ооо»", {"q": "ооо"}),
        ("search phone", {"q": "8 812 004-20-42"}),
        ("search email", {"q": "office4242@company254.ru"}),
        ("search INN exact", {"q": "7800004242"}),
        ("search INN prefix", {"q": "780000"}),
        ("search misses", {"q": "несуществующее"}),
    ]
    print(f"{'case':<24} {'found':>8} {'page ms':>8} {'db ms':>7}  index")
    for label, params in cases:
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            response = client.get("/crm/", params)
            times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
        total = response.context["total"]
        found = f">{selectors.COUNT_CAP}" if total > selectors.COUNT_CAP else str(total)
        qs = selectors.companies(
            q=params.get("q", ""),
            industry=Industry.objects.get(pk=params["industry"]) if "industry" in params else None,
            sort=params.get("sort", "name"),
        )
        page = int(params.get("page", 1))
        sql, sql_params = qs[(page - 1) * 50 : page * 50].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", sql_params)
            plan = cursor.fetchone()[0][0]
        indexes = sorted(
            {
                node
                for node in re.findall(r"counterparty_[a-z_]+", str(plan))
                if not node.endswith("pkey")
            }
        )
        print(
            f"{label:<24} {found:>8} {statistics.median(times):>8.1f} "
            f"{plan['Execution Time']:>7.1f}  {', '.join(indexes) or 'seq scan'}"
        )
finally:
    teardown()
