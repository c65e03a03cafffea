"""Company import: wall time and SQL queries of each step for 2,000, 20,000 and 100,000 rows,
as .csv (Windows-1251) and .xlsx, with ten mapped columns (name, INN, phone, email, contact,
industry, manager, category, address, comment); then the same file again in «update» mode with
every tenth row changed.

Steps: upload (content check, format detection, first rows), check (the plan shown as the
preview), run (the confirmed write). Prints one line per run and the machine's load average
(the machines are shared: compare runs of the same moment); asserts nothing about time.
Issue target: 100,000 rows in 20 s or less.

    python bench/crm_import.py                      # 2,000, 20,000 and 100,000 rows
    python bench/crm_import.py --rows 100000 --formats csv
"""

import argparse
import csv
import io
import os
import tempfile
import time

from _setup import setup_database

parser = argparse.ArgumentParser()
parser.add_argument("--rows", type=int, nargs="*", default=[2_000, 20_000, 100_000])
parser.add_argument("--formats", default="csv,xlsx")
args = parser.parse_args()

teardown = setup_database()
try:
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from openpyxl import Workbook

    from crm.models import Counterparty, Industry
    from crm.services.importing import import_configure, import_confirm, import_upload
    from tests.factories import DepartmentFactory, employee

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="crm-import-bench-")
    department = DepartmentFactory()
    manager = employee(
        "bench_manager", department, roles=["manager"], last_name="Петров", first_name="Алексей"
    )
    employee(
        "bench_manager2", department, roles=["manager"], last_name="Соколова", first_name="Ирина"
    )
    for name in ("ЖКХ", "Торговля", "IT"):
        Industry.objects.create(name=name)
    header = ["Наименование", "ИНН", "Телефон", "E-mail", "Контактное лицо", "Сфера деятельности"]
    header += ["Менеджер", "Категория", "Адрес", "Комментарий"]
    mapping = {
        "name": 0,
        "inn": 1,
        "phone": 2,
        "email": 3,
        "contact_person": 4,
        "industry": 5,
        "responsible": 6,
        "category": 7,
        "address": 8,
        "comment": 9,
    }
    industries = ["ЖКХ", "Торговля", "IT"]
    managers = ["Петров Алексей", "Соколова", "bench_manager"]

    def rows(n, offset, changed=False):
        return [
            [
                f"ООО «Компания {offset + i}»",
                f"78{offset + i:08d}",
                f"+7 812 {(offset + i) % 1000:03d}-{i % 100:02d}-{i % 97:02d}",
                f"office{offset + i}@example.ru",
                f"Иванов Иван {i % 50}",
                industries[i % 3],
                managers[i % 3],
                "Клиент",
                f"Санкт-Петербург, ул. Садовая, д. {i % 200 + 1}"
                + (", офис 5" if changed and i % 10 == 0 else ""),
                "Импорт из старой CRM",
            ]
            for i in range(n)
        ]

    def xlsx(data):
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Клиенты")
        for row in data:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def cp1251_csv(data):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=";").writerows(data)
        return buffer.getvalue().encode("cp1251")

    def timed(step, *, count_queries):
        """(result, seconds, queries); the largest runs are timed without the query log,
        whose formatting of long parameter lists would add to the time."""
        if not count_queries:
            start = time.perf_counter()
            result = step()
            return result, time.perf_counter() - start, 0
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            result = step()
        return result, time.perf_counter() - start, len(queries)

    print(
        f"{'file':>5} {'mode':>6} {'rows':>7} {'created':>8} {'updated':>8} {'upload s':>9} "
        f"{'check s':>8} {'run s':>7} {'total s':>8} {'queries':>8}"
    )
    print("load average before: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    offset = 0
    builders = {"csv": cp1251_csv, "xlsx": xlsx}
    for n in args.rows:
        for kind in args.formats.split(","):
            build = builders[kind]
            for mode in ("create", "update"):
                content = build([header, *rows(n, offset, changed=mode == "update")])
                upload, t_upload, q1 = timed(
                    lambda content=content, kind=kind: import_upload(
                        user=manager,
                        uploaded_file=SimpleUploadedFile(f"bench.{kind}", content),
                    ),
                    count_queries=n < 100_000,
                )
                checked, t_check, q2 = timed(
                    lambda upload=upload, mode=mode: import_configure(
                        import_id=upload.pk,
                        user=manager,
                        mapping=mapping,
                        mode=mode,
                        initial_status="imported",
                        category="client",
                    ),
                    count_queries=n < 100_000,
                )
                result, t_run, q3 = timed(
                    lambda upload=upload: import_confirm(import_id=upload.pk, user=manager),
                    count_queries=n < 100_000,
                )
                assert checked.preview, checked.failure
                total = t_upload + t_check + t_run
                print(
                    f"{kind:>5} {mode:>6} {n:>7} {result.created_count:>8} "
                    f"{result.updated_count:>8} {t_upload:>9.2f} {t_check:>8.2f} {t_run:>7.2f} "
                    f"{total:>8.2f} {q1 + q2 + q3 or '-':>8}"
                )
            offset += n
    print(f"companies in the base: {Counterparty.objects.count()}")
    print("load average after: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
finally:
    teardown()
