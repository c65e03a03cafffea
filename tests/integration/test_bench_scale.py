"""bench/scale.py into a scratch database of its own (created and dropped here): the rows it
writes hold together, foreign keys checked, and a database it did not fill is refused."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
LETTERS = 200


def _admin_url(name: str) -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture(scope="module")
def scratch():
    """A database next to the test database; yields its URL and drops it afterwards."""
    name = f"{settings.DATABASES['default']['NAME']}_scale"
    with psycopg.connect(_admin_url("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _admin_url(name)
    finally:
        with psycopg.connect(_admin_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _scale(url: str, *extra: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, "bench/scale.py", "--letters", str(LETTERS), *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _one(db, sql: str):
    return db.execute(sql).fetchone()[0]


def test_generated_rows_hold_together_and_foreign_data_is_refused(scratch):
    run = _scale(scratch, "--checked")
    assert run.returncode == 0, run.stderr[-3000:]
    with psycopg.connect(scratch) as db:
        assert _one(db, "SELECT count(*) FROM correspondence_incomingletter") == LETTERS
        assert _one(db, "SELECT count(*) FROM correspondence_outgoingletter") == LETTERS // 5
        # every letter has its route, and a step's task is about the route's document
        assert (
            _one(
                db,
                "SELECT count(*) FROM correspondence_incomingletter l WHERE NOT EXISTS "
                "(SELECT 1 FROM workflow_route r JOIN django_content_type ct "
                "ON ct.id = r.content_type_id AND ct.model = 'incomingletter' "
                "WHERE r.object_id = l.id)",
            )
            == 0
        )
        assert (
            _one(
                db,
                "SELECT count(*) FROM workflow_routestep s JOIN workflow_route r "
                "ON r.id = s.route_id JOIN workflow_task t ON t.id = s.task_id "
                "WHERE t.object_id <> r.object_id OR t.content_type_id <> r.content_type_id",
            )
            == 0
        )
        assert (
            _one(
                db,
                "SELECT count(*) FROM workflow_routestep s JOIN workflow_routestage g "
                "ON g.id = s.stage_id WHERE g.route_id <> s.route_id",
            )
            == 0
        )
        # a letter's thread is with the letter's counterparty; numbers follow the counters
        for table in ("correspondence_incomingletter", "correspondence_outgoingletter"):
            assert (
                _one(
                    db,
                    f"SELECT count(*) FROM {table} l JOIN correspondence_thread t "  # noqa: S608
                    "ON t.id = l.thread_id WHERE t.counterparty_id <> l.counterparty_id",
                )
                == 0
            )
        assert (
            _one(
                db,
                "SELECT count(*) FROM correspondence_journalcounter c WHERE c.last_number <> "
                "(SELECT max(reg_sequence) FROM correspondence_incomingletter l "
                "WHERE l.journal_id = c.journal_id AND l.reg_year = c.year) "
                "AND EXISTS (SELECT 1 FROM correspondence_registrationjournal j "
                "WHERE j.id = c.journal_id AND j.direction = 'incoming')",
            )
            == 0
        )
        # open tasks with a deadline have their escalation timer; every letter its history
        assert (
            _one(
                db,
                "SELECT count(*) FROM workflow_task t WHERE t.status = 'open' AND t.due_at IS "
                "NOT NULL AND NOT EXISTS (SELECT 1 FROM workflow_timer m WHERE m.object_id = "
                "t.id AND m.kind = 'workflow.task_escalation')",
            )
            == 0
        )
        assert _one(db, "SELECT count(*) FROM workflow_task WHERE status = 'open'") > 0
        assert (
            _one(
                db,
                "SELECT count(DISTINCT h.object_id) FROM workflow_historyentry h "
                "JOIN django_content_type ct ON ct.id = h.content_type_id "
                "AND ct.model = 'incomingletter' WHERE h.action = 'created'",
            )
            == LETTERS
        )
        roles = dict(
            db.execute(
                "SELECT u.username, e.roles FROM auth_user u JOIN workflow_employee e "
                "ON e.user_id = u.id WHERE u.username IN ('director', 'office', 'head', 'employee')"
            ).fetchall()
        )
        assert roles["director"] == ["general_director"] and "registrar" in roles["office"]
        assert roles["employee"] == []
        assert _one(
            db,
            "SELECT EXISTS (SELECT 1 FROM workflow_department d JOIN auth_user u "
            "ON u.id = d.head_id WHERE u.username = 'head')",
        )
        # forget that it was generated: now its data counts as real and is refused
        db.execute("DROP TABLE bench_scale_run")
        db.commit()
    refused = _scale(scratch)
    assert refused.returncode == 2 and "refused" in refused.stderr
    with psycopg.connect(scratch) as db:
        assert _one(db, "SELECT count(*) FROM correspondence_incomingletter") == LETTERS
