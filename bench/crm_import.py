"""Company import: wall time and SQL queries for 2,000 and 20,000 rows, .xlsx and .csv
(Windows-1251), then a re-import of the same file (everything is a duplicate).

Prints one line per run; asserts nothing about time. Seed 001/R7: 2,000 rows in a few seconds.
"""

import csv
import io
import tempfile
import time

from _setup import setup_database

teardown = setup_database()
try:
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from openpyxl import Workbook

    from crm.services.importing import import_start, import_upload
    from tests.factories import DepartmentFactory, employee

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="crm-import-bench-")
    manager = employee("bench_manager", DepartmentFactory(), roles=["manager"])
    header = ["Наименование", "ИНН", "Телефон", "Контактное лицо"]

    def rows(n, offset):
        return [
            [f"ООО «Компания {offset + i}»", f"78{offset + i:08d}", "+7 812 000-00-00", "Иванов"]
            for i in range(n)
        ]

    def xlsx(data):
        workbook = Workbook()
        for row in data:
            workbook.active.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    def cp1251_csv(data):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=";").writerows(data)
        return buffer.getvalue().encode("cp1251")

    print(f"{'file':>6} {'rows':>7} {'created':>8} {'dupes':>6} {'queries':>8} {'seconds':>8}")
    offset = 0
    for n in (2_000, 20_000):
        for kind, build in (("xlsx", xlsx), ("csv", cp1251_csv)):
            content = build([header, *rows(n, offset)])
            for _attempt in ("first", "again"):
                start = time.perf_counter()
                with CaptureQueriesContext(connection) as queries:
                    upload = import_upload(
                        user=manager, uploaded_file=SimpleUploadedFile(f"bench.{kind}", content)
                    )
                    result = import_start(
                        import_id=upload.pk,
                        user=manager,
                        mapping={"name": 0, "inn": 1, "phone": 2, "contact_person": 3},
                        initial_status="imported",
                        category="client",
                        industry=None,
                        responsible=manager,
                    )
                elapsed = time.perf_counter() - start
                print(
                    f"{kind:>6} {n:>7} {result.created_count:>8} {result.duplicate_count:>6} "
                    f"{len(queries):>8} {elapsed:>8.2f}"
                )
            offset += n
finally:
    teardown()
