"""A reproducible large organisation in the configured database, for the page benchmarks.

    python bench/scale.py --letters 1000000 [--seed 1] [--force] [--checked]

At 1,000,000 letters: 200k outgoing letters, about 3M tasks (50k open), 10k contracts, 100k
companies, 2 legal entities, 20 departments, 200 employees, over the last 5 years; smaller N
scales every volume down. Every document has its route in the engine's tables (route, round,
stages, steps pointing at the tasks), its thread, its history and, for open tasks, their timers.

The schema is rebuilt (DROP SCHEMA public, migrate) and filled with INSERT ... SELECT over
generate_series: the same --letters and --seed give the same rows. A database holding data that
this script did not generate is refused unless --force. Foreign keys are not checked row by row
while loading (session_replication_role = replica) and secondary indexes are built after the
load; --checked keeps the checks on (slow, for the tests).

Every generated user has the password ``argo-bench``. The four measured roles: ``director``
(general director: sees everything), ``office`` (registrar), ``head`` (head of a department),
``employee`` (an ordinary employee of that department).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "argo_docs.settings.base")
os.environ.setdefault("SECRET_KEY", "bench-scale-not-a-secret")

PASSWORD = "argo-bench"
MARKER = "bench_scale_run"


@dataclass(frozen=True)
class Plan:
    letters: int
    outgoing: int
    threads: int
    companies: int
    projects: int
    contracts: int
    employees: int
    departments: int
    open_incoming: int
    open_outgoing: int
    open_instructions: int
    instructions: int

    @property
    def co_executed(self) -> int:
        return self.letters // 2

    @property
    def tasks(self) -> int:
        """Every task the plan creates (closed outgoing letters have two, open ones one)."""
        return (
            2 * self.letters
            + self.co_executed
            + 2 * self.outgoing
            - self.open_outgoing
            + self.contract_tasks_max
            + self.instructions
        )

    @property
    def contract_tasks_max(self) -> int:
        return 6 * self.contracts


def plan_for(letters: int) -> Plan:
    """The volumes for ``letters`` incoming letters (the issue's proportions at 1M)."""
    if letters < 50:
        raise ValueError("at least 50 letters")
    f = letters / 1_000_000
    employees = max(24, min(200, round(200 * math.sqrt(f * 10)))) if f < 0.1 else 200
    departments = max(4, min(20, employees // 10))
    departments -= departments % 2  # as many in each of the two legal entities
    open_total = max(20, round(50_000 * f))
    open_incoming = max(4, round(24_000 * f))
    open_outgoing = max(2, round(8_000 * f))
    contracts = max(20, round(10_000 * f))
    # the contract steps open now are estimated at 2 per unfinished contract (25 %)
    open_instructions = max(
        2, open_total - (open_incoming * 3 // 2) - open_outgoing - contracts // 2
    )
    tasks_target = 3 * letters
    others = 2 * letters + letters // 2 + 2 * round(letters * 0.2) - open_outgoing + 6 * contracts
    return Plan(
        letters=letters,
        outgoing=round(letters * 0.2),
        threads=round(letters * 0.6),
        companies=max(30, round(100_000 * f)),
        projects=max(5, round(200 * f)),
        contracts=contracts,
        employees=employees,
        departments=departments,
        open_incoming=open_incoming,
        open_outgoing=open_outgoing,
        open_instructions=open_instructions,
        instructions=max(open_instructions, tasks_target - others),
    )


class Refused(Exception):
    pass


def _log(started: float, what: str) -> None:
    print(f"{time.monotonic() - started:8.1f} s  {what}", flush=True)


def database_check(cursor, force: bool) -> None:
    """Refuse a database with data that this script did not generate (unless forced)."""
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [MARKER])
    if cursor.fetchone()[0]:
        return
    for table in ("auth_user", "crm_counterparty", "correspondence_incomingletter"):
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        if not cursor.fetchone()[0]:
            continue
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")  # noqa: S608
        if cursor.fetchone()[0] and not force:
            raise Refused(
                f"the database holds data this script did not generate ({table} is not empty); "
                "use --force to replace it"
            )


def schema_reset(cursor) -> None:
    cursor.execute(
        "DROP SCHEMA public CASCADE; CREATE SCHEMA public; GRANT ALL ON SCHEMA public TO public"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--letters", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--force", action="store_true", help="replace data not generated here")
    parser.add_argument("--checked", action="store_true", help="check foreign keys while loading")
    parser.add_argument(
        "--search-index",
        action="store_true",
        help="also build the search index (about 8 more minutes at 1M letters)",
    )
    args = parser.parse_args(argv)
    plan = plan_for(args.letters)
    started = time.monotonic()

    import django

    django.setup()
    from django.core.management import call_command, get_commands
    from django.db import connection

    with connection.cursor() as cursor:
        try:
            database_check(cursor, args.force)
        except Refused as exc:
            print(f"refused: {exc}", file=sys.stderr)
            return 2
        schema_reset(cursor)
    _log(started, "schema dropped")
    call_command("migrate", verbosity=0, interactive=False)
    _log(started, "migrated")

    import scale_load

    scale_load.load(plan, seed=args.seed, checked=args.checked, log=lambda w: _log(started, w))
    if "rebuild_document_access" in get_commands():
        call_command("rebuild_document_access")
        _log(started, "document access rebuilt")
    if "control_rollup" in get_commands():
        call_command("control_rollup", "--rebuild")
        _log(started, "control rollup built")
    if args.search_index:
        call_command("rebuild_search_index")
        _log(started, "search index built")
    with connection.cursor() as cursor:
        # VACUUM too: bulk-loaded tables have no visibility map, so every index-only scan would
        # visit the heap (a head's register counted 15 times slower before it)
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute(
            f"CREATE TABLE {MARKER} (letters integer, seed integer, seconds real, "
            "finished_at timestamptz DEFAULT now())"
        )
        cursor.execute(
            f"INSERT INTO {MARKER} (letters, seed, seconds) VALUES (%s, %s, %s)",  # noqa: S608
            [args.letters, args.seed, time.monotonic() - started],
        )
    _log(started, f"done: {plan}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
