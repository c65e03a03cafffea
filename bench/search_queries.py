"""Search latency on the configured database (``DATABASE_URL``), as the viewer sees it: the whole
``search.query.search`` call (every kind: its visibility subquery, the bounded match, the count,
the ranking and the fragments of one page).

    python bench/search_queries.py [--users director,office,head,employee] [--runs 20]

Cases: a rare word, a common word (both picked from the index's own statistics), an exact
registration number, a misspelt company name and a phrase with punctuation. For each user and
case it prints p50 and p95 in milliseconds, the hits of the first group and the number of SQL
queries. The users default to the roles ``bench/scale.py`` creates; missing ones are skipped.
Asserts nothing about time.
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


def _cases(connection) -> list[tuple[str, str]]:
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
        cursor.execute(
            "SELECT word FROM ts_stat(%s) WHERE length(word) > 5 AND word !~ '[0-9]' "
            "AND ndoc = 1 ORDER BY word LIMIT 1",
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
    if common:
        cases.append(("common word", common[0]))
    if number:
        cases.append(("exact number", number[0].split(" — ")[0]))
    if company:
        words = [w for w in company[0].replace("«", " ").replace("»", " ").split() if len(w) > 5]
        if words:
            word = words[0]
            cases.append(("misspelt name", word[:3] + word[4:]))
    cases.append(("punctuation", '«договор» - / "аренды" & | !'))
    return cases, entries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", default="director,office,head,employee")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from search.query import search

    cases, entries = _cases(connection)
    print(f"search entries: {entries}; runs per case: {args.runs}")
    users = get_user_model().objects.filter(username__in=args.users.split(","))
    for user in sorted(users, key=lambda u: args.users.split(",").index(u.username)):
        for label, text in cases:
            search(user, text)  # warm the caches once
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                groups = search(user, text)
                times.append((time.perf_counter() - start) * 1000)
            with CaptureQueriesContext(connection) as queries:
                groups = search(user, text)
            reset_queries()
            times.sort()
            p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
            found = ", ".join(f"{g.kind} {g.count}{'+' if g.capped else ''}" for g in groups)
            p50 = statistics.median(times)
            print(
                f"{user.username:10} {label:14} {text[:28]!r:32} p50 {p50:7.1f} ms"
                f"  p95 {p95:7.1f} ms  queries {len(queries):3}  hits: {found or '—'}"
            )


if __name__ == "__main__":
    main()
