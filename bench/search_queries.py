"""Search latency on the configured database (``DATABASE_URL``), as the viewer sees it: the whole
``search.query.search`` call (every kind: its visibility check, the bounded match, the capped
count, the ranking and the fragments of one page).

    python bench/search_queries.py [--users director,office,head,employee] [--runs 20]
                                   [--words письмо,договор] [--kind incoming] [--explain]
                                   [--bound 10000]

Cases: a rare word (picked from the index's own statistics), common words (``--words``, and the
most frequent word of the index), an exact registration number, a misspelt company name and a
phrase with punctuation; each on the page of every kind and, with ``--kind``, on the page of one
kind. For each user and case it prints p50 and p95 in milliseconds, the number of SQL queries and
the hits per kind («+» when the count is capped). The header gives the load average, the number of
entries and the database size, so figures from different runs can be compared. ``--explain``
prints EXPLAIN (ANALYZE, BUFFERS) of every statement of one search per case for the first user.
The users default to the roles ``bench/scale.py`` creates; missing ones are skipped. Asserts
nothing about time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "argo_docs.settings.base")
os.environ.setdefault("SECRET_KEY", "bench-search-not-a-secret")


def _cases(connection, words: list[str]) -> tuple[list[tuple[str, str]], int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_searchentry")
        (entries,) = cursor.fetchone()
        percent = max(0.5, min(100.0, 2_000_000 / max(entries, 1)))
        sample = f"SELECT vector FROM search_searchentry TABLESAMPLE SYSTEM ({percent})"
        cursor.execute(
            "SELECT word FROM ts_stat(%s) WHERE length(word) > 3 AND word !~ '[0-9]' "
            "ORDER BY ndoc DESC LIMIT 1",
            [sample],
        )
        common = cursor.fetchone()
        # the least frequent word of four characters or more (a number when the vocabulary is
        # as small as the generated one)
        cursor.execute(
            "SELECT word FROM ts_stat(%s) WHERE length(word) > 3 ORDER BY ndoc, word LIMIT 1",
            [sample],
        )
        rare = cursor.fetchone()
        cursor.execute(
            "SELECT title FROM search_searchentry WHERE kind = 'incoming' ORDER BY id DESC LIMIT 1"
        )
        number = cursor.fetchone()
        cursor.execute(
            "SELECT title FROM search_searchentry WHERE kind = 'company' ORDER BY id LIMIT 1"
        )
        company = cursor.fetchone()
    cases = []
    if rare:
        cases.append(("rare word", rare[0]))
    if common and common[0] not in words:
        cases.append(("most common", common[0]))
    cases.extend(("common word", word) for word in words)
    if number:
        cases.append(("exact number", number[0].split(" — ")[0]))
    if company:
        words = [w for w in company[0].replace("«", " ").replace("»", " ").split() if len(w) > 5]
        if words:
            word = words[0]
            cases.append(("misspelt name", word[:3] + word[4:]))
    cases.append(("punctuation", '«договор» - / "аренды" & | !'))
    return cases, entries


def _header(connection, entries: int, runs: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_size_pretty(pg_database_size(current_database())), "
            "pg_size_pretty(pg_total_relation_size('search_searchentry'))"
        )
        db_size, index_size = cursor.fetchone()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"search entries: {entries}; search table with indexes {index_size}; database {db_size};"
        f" load average {load}; runs per case: {runs}"
    )


def _explain(connection, run) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of every statement one search runs."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        run()
    from django.db import transaction

    # in one transaction, so that the settings the search makes for itself (set_config) apply
    with transaction.atomic():
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH", "(")):
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                print("\n".join(row[0] for row in cursor.fetchall()))
                print("-" * 100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", default="director,office,head,employee")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--words", default="письмо,договор", help="common words, comma-separated")
    parser.add_argument("--kind", default="", help="also measure the page of this one kind")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument(
        "--bound", type=int, default=0, help="rank at most this many hits per kind (what it costs)"
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from search import statement
    from search.query import Filters, search
    from search.views import PER_KIND, PER_PAGE

    if args.bound:
        statement.BOUND = args.bound

    words = [w for w in args.words.split(",") if w]
    cases, entries = _cases(connection, words)
    print(_header(connection, entries, args.runs))
    pages = [("all kinds", Filters(), PER_KIND)]
    if args.kind:
        pages.append((args.kind, Filters(kinds=[args.kind]), PER_PAGE))
    names = args.users.split(",")
    users = get_user_model().objects.filter(username__in=names)
    worst = 0.0
    for n, user in enumerate(sorted(users, key=lambda u: names.index(u.username))):
        for label, text in cases:
            for page, filters, per in pages:

                def run(user=user, text=text, filters=filters, per=per):
                    return search(user, text, filters, per_kind=per)

                if args.explain and n == 0:
                    print(f"== {user.username} {label} {text!r} {page}")
                    _explain(connection, run)
                run()  # warm the caches once
                times = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    run()
                    times.append((time.perf_counter() - start) * 1000)
                with CaptureQueriesContext(connection) as captured:
                    groups = run()
                queries = len(captured)
                reset_queries()
                times.sort()
                p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
                worst = max(worst, p95)
                found = ", ".join(f"{g.kind} {g.count}{'+' if g.capped else ''}" for g in groups)
                print(
                    f"{user.username:9} {label:13} {text[:24]!r:28} {page:10}"
                    f" p50 {statistics.median(times):7.1f}  p95 {p95:7.1f} ms"
                    f"  queries {queries:2}  hits: {found or '—'}"
                )
    print(
        f"worst p95 ms: {worst:.1f}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


if __name__ == "__main__":
    main()
