"""The bulk load behind ``bench/scale.py``: the org structure through the ORM (a few hundred
rows), everything else with INSERT ... SELECT over generate_series. Pseudo-random choices come
from ``hashint8extended(i, seed)``, so a row depends only on its number and the seed.

Id ranges are computed, not looked up: incoming letter i has route i, review step and task i,
execution step and task N+i; outgoing letter j has route N+j; and so on (see ``_ids``)."""

from __future__ import annotations

from collections.abc import Callable

from scale_contracts import ContractsMixin
from scale_letters import LettersMixin
from scale_org import OrgMixin
from scale_words import (
    BIG_TABLES,
    COMPANY_FORMS,
    COMPANY_WORDS,
    COUNTERPARTY_CATEGORIES,
    COUNTERPARTY_STATUSES,
    OBJECTS,
    TOPICS,
    YEARS_SQL,
    arr,
)


class Loader(OrgMixin, LettersMixin, ContractsMixin):
    def __init__(self, plan, seed: int, log: Callable[[str], None]):
        from django.db import connection

        self.p = plan
        self.seed = seed
        self.log = log
        self.cursor = connection.cursor()

    def h(self, expr: str, salt: int) -> str:
        """A non-negative pseudo-random integer for ``expr`` (same seed, same value)."""
        return f"(hashint8extended(({expr})::bigint, {self.seed * 1000 + salt}) & 2147483647)"

    def run(self, sql: str, what: str | None = None) -> None:
        self.cursor.execute(sql)
        if what:
            self.log(f"{what}: {self.cursor.rowcount} rows")

    # --- the organisation ------------------------------------------------------------------------

    def documents(self) -> None:
        from django.conf import settings
        from django.urls import reverse

        p, h = self.p, self.h
        N, M, T, C, K = p.letters, p.outgoing, p.threads, p.companies, p.contracts
        D = p.departments
        tz = settings.TIME_ZONE.replace("'", "")
        # ends at the last midnight so that a rerun on the same day gives the same rows
        self.run(
            "CREATE TEMP TABLE bench_time AS SELECT date_trunc('day', now()) AS t_end, "
            f"date_trunc('day', now()) - interval '{YEARS_SQL}' AS t0"
        )
        span = "(extract(epoch FROM (SELECT t_end - t0 FROM bench_time)) - 3600)"
        t0 = "(SELECT t0 FROM bench_time)"
        b_out = 2 * N + N // 2  # first outgoing task id - 1
        b_con = b_out + 2 * M
        b_ins = b_con + 6 * K
        s_con = 2 * N + 2 * M  # first contract stage / step id - 1
        due = f"((%s + time '18:00') AT TIME ZONE '{tz}')"
        task_url = reverse("workflow:task-detail", args=[987654321]).replace(
            "987654321", "'||id||'"
        )

        words, forms = COMPANY_WORDS, COMPANY_FORMS
        keys_w = [self.name_key(w) for w in words]
        keys_f = [self.name_key(f) for f in forms]
        self.run(
            f"""
            INSERT INTO crm_counterparty (id, name, category, inn, kpp, email, phone, address,
              created_at, name_key, status, comment, contact_keys, version)
            SELECT c, {arr(forms)}[1 + fi] || ' «' || {arr(words)}[1 + wi] || ' ' || c || '»',
              {arr(COUNTERPARTY_CATEGORIES)}[1 + {h("c", 11)} % 5],
              (7700000000 + c)::text, '', 'info' || c || '@company.example',
              '+7 495 ' || lpad((c % 10000000)::text, 7, '0'), 'г. Москва, д. ' || (c % 200 + 1),
              {t0} + ({h("c", 12)} % 1800) * interval '1 day',
              {arr(keys_f)}[1 + fi] || ' ' || {arr(keys_w)}[1 + wi] || ' ' || c,
              {arr(COUNTERPARTY_STATUSES)}[1 + {h("c", 13)} % {len(COUNTERPARTY_STATUSES)}],
              '', '7495' || lpad((c % 10000000)::text, 7, '0') || ' info' || c
                || '@company.example', 0
            FROM (SELECT c, {h("c", 14)} % {len(forms)} AS fi, {h("c", 15)} % {len(words)} AS wi
                  FROM generate_series(1, {C}) c) s
            """,
            "companies",
        )
        self.run(
            f"""INSERT INTO correspondence_project (id, name, description, is_active, created_at)
            SELECT n, 'Проект ' || n, '', true, {t0} FROM generate_series(1, {p.projects}) n""",
            "projects",
        )
        # the plan of every incoming letter: who, when, which thread and counterparty
        self.run(
            f"""
            CREATE TEMP TABLE bench_in AS
            SELECT s.*,
              'Вх-' || s.seq || '/' || le.code
                || '/' || s.yr AS reg_number,
              le.in_journal, le.id AS le_id, le.director_id
            FROM (
              SELECT q.*, dp.id AS dept_id, dp.le_idx, dp.head_id,
                e1.user_id AS resp_id, e2.user_id AS co_id,
                l.registrars[1 + q.r % cardinality(l.registrars)] AS reg_by,
                q.at::date AS received_on, q.at::date + 10 AS control_date,
                extract(year FROM q.at)::int AS yr,
                row_number() OVER (PARTITION BY dp.le_idx, extract(year FROM q.at)
                                   ORDER BY q.i) AS seq
              FROM (
                SELECT i, ((i - 1) % {T}) + 1 AS thread_id,
                  1 + {h(f"((i - 1) % {T}) + 1", 1)} % {C} AS cp_id,
                  {h("i", 2)} % {D} AS d, {h("i", 3)} AS r,
                  {t0} + ((i - 1)::float8 * {span} / {N}) * interval '1 second' AS at,
                  i > {N - p.open_incoming} AS is_open,
                  {arr(TOPICS)}[1 + {h("i", 4)} % {len(TOPICS)}] || ' '
                    || {arr(OBJECTS)}[1 + {h("i", 5)} % {len(OBJECTS)}] AS subject,
                  CASE WHEN {h("i", 6)} % 10 = 0 THEN 1 + {h("i", 7)} % {p.projects} END
                    AS project_id
                FROM generate_series(1, {N}) i
              ) q
              JOIN bench_dept dp ON dp.idx = q.d
              JOIN bench_le l ON l.idx = dp.le_idx
              JOIN bench_emp e1 ON e1.dept_idx = q.d AND e1.k = q.r % dp.n_emp
              JOIN bench_emp e2 ON e2.dept_idx = q.d AND e2.k = (q.r + 1) % dp.n_emp
            ) s JOIN bench_le le ON le.idx = s.le_idx
            """,
            "incoming plan",
        )
        self.run(
            f"""INSERT INTO correspondence_thread (id, subject, created_at, counterparty_id,
              created_by_id, project_id)
            SELECT i, subject, at, cp_id, reg_by, project_id FROM bench_in WHERE i <= {T}""",
            "threads",
        )
        self.run(
            f"""
            INSERT INTO correspondence_incomingletter (id, reg_number, reg_year, reg_sequence,
              sender_number, sender_date, subject, summary, received_on, control_date, resolution,
              reminder_working_days, status, registered_at, completed_at, completion_comment,
              addressee_department_id, counterparty_id, legal_entity_id, registered_by_id,
              responsible_id, project_id, journal_id, thread_id)
            SELECT i, reg_number, yr, seq, (1000 + {h("i", 8)} % 9000)::text, received_on - 2,
              subject, '', received_on, control_date, '', 1,
              CASE WHEN is_open THEN 'in_work' ELSE 'done' END, at,
              CASE WHEN NOT is_open THEN at + interval '5 days' END,
              CASE WHEN is_open THEN '' ELSE 'Исполнено' END,
              dept_id, cp_id, le_id, reg_by, resp_id, project_id, in_journal, thread_id
            FROM bench_in
            """,
            "incoming letters",
        )
        self.run(
            """INSERT INTO correspondence_incomingletter_co_executors (incomingletter_id, user_id)
            SELECT i, co_id FROM bench_in WHERE i % 2 = 0""",
            "co-executors",
        )
        task_cols = (
            "id, kind, title, description, object_id, created_at, due_at, status, outcome, "
            "comment, completed_at, assignee_id, completed_by_id, content_type_id, "
            "created_by_id, parent_id"
        )
        self.run(
            f"""INSERT INTO workflow_task ({task_cols})
            SELECT i, 'workflow.route_review',
              left('Рассмотреть письмо ' || reg_number || ': ' || subject, 255), '', i, at,
              {due % "control_date"}, 'done', 'review', '', at + interval '4 hours',
              head_id, head_id, {self.ct_in}, reg_by, NULL
            FROM bench_in""",
            "review tasks",
        )
        self.run(
            f"""INSERT INTO workflow_task ({task_cols})
            SELECT {N} + i, 'correspondence.execute',
              left('Исполнить письмо ' || reg_number || ': ' || subject, 255), '', i,
              at + interval '4 hours', {due % "control_date"},
              CASE WHEN is_open THEN 'open' ELSE 'done' END,
              CASE WHEN is_open THEN '' ELSE 'done' END, '',
              CASE WHEN NOT is_open THEN at + interval '5 days' END,
              resp_id, CASE WHEN NOT is_open THEN resp_id END, {self.ct_in}, head_id, NULL
            FROM bench_in""",
            "execution tasks",
        )
        self.run(
            f"""INSERT INTO workflow_task ({task_cols})
            SELECT {2 * N} + i / 2, 'workflow.instruction',
              left('Соисполнение: ' || reg_number || ': ' || subject, 255), '', i,
              at + interval '5 hours', {due % "control_date"},
              CASE WHEN is_open THEN 'open' ELSE 'done' END,
              CASE WHEN is_open THEN '' ELSE 'done' END, '',
              CASE WHEN NOT is_open THEN at + interval '4 days' END,
              co_id, CASE WHEN NOT is_open THEN co_id END, {self.ct_in}, resp_id, {N} + i
            FROM bench_in WHERE i % 2 = 0""",
            "co-executor subtasks",
        )
        self._routes_incoming()
        self._outgoing(b_out, due)
        self._contracts(b_con, s_con)
        self._instructions(b_ins)
        self._timers_history_notifications(task_url)
        self._counters_sequences()

    def _timers_history_notifications(self, task_url: str) -> None:
        """Timers of open tasks (those past due already fired), a history row for every
        document and task, an unread notification for every open task."""
        self.run(
            f"""INSERT INTO workflow_timer (kind, object_id, due_at, payload, created_at, fired_at,
              attempts, last_error, content_type_id)
            SELECT k.kind, t.id, k.due, '{{}}'::jsonb, t.created_at,
              CASE WHEN k.due <= now() THEN k.due END, 0, '', {self.ct_task}
            FROM workflow_task t CROSS JOIN LATERAL (VALUES
              ('workflow.task_escalation', t.due_at),
              ('workflow.task_reminder', t.due_at - interval '1 day')) k(kind, due)
            WHERE t.status = 'open' AND t.due_at IS NOT NULL""",
            "timers",
        )
        self.run(
            """UPDATE workflow_task SET escalated_at = CASE WHEN due_at <= now() THEN due_at END,
              reminded_at = CASE WHEN due_at - interval '1 day' <= now()
                                 THEN due_at - interval '1 day' END
            WHERE status = 'open' AND due_at IS NOT NULL AND due_at - interval '1 day' <= now()"""
        )
        history = (
            "INSERT INTO workflow_historyentry (object_id, action, description, "
            "from_state, to_state, comment, data, created_at, actor_id, content_type_id) "
        )
        self.run(
            history
            + f"""SELECT id, 'created', 'Письмо зарегистрировано', '', 'registered', '',
              '{{}}'::jsonb, registered_at, registered_by_id, {self.ct_in}
            FROM correspondence_incomingletter
            UNION ALL
            SELECT id, 'created', 'Исходящее письмо создано', '', 'draft', '', '{{}}'::jsonb,
              created_at, author_id, {self.ct_out} FROM correspondence_outgoingletter
            UNION ALL
            SELECT id, 'created', 'Договор создан', '', 'draft', '', '{{}}'::jsonb, created_at,
              initiator_id, {self.ct_con} FROM contracts_contract""",
            "history of documents",
        )
        self.run(
            history
            + f"""SELECT COALESCE(object_id, id), 'task',
              left('Задание «' || title || '» назначено', 500), '', '', '',
              jsonb_build_object('task', id), created_at, created_by_id,
              COALESCE(content_type_id, {self.ct_task})
            FROM workflow_task""",
            "history of tasks",
        )
        self.run(
            f"""INSERT INTO workflow_notification (text, url, created_at, recipient_id)
            SELECT left('Новое задание: ' || title, 500), '{task_url}', created_at, assignee_id
            FROM workflow_task WHERE status = 'open'""",
            "notifications",
        )

    def _counters_sequences(self) -> None:
        self.run(
            """INSERT INTO correspondence_journalcounter (journal_id, year, last_number)
            SELECT journal_id, reg_year, max(reg_sequence) FROM correspondence_incomingletter
            GROUP BY 1, 2
            UNION ALL
            SELECT journal_id, reg_year, max(reg_sequence) FROM correspondence_outgoingletter
            WHERE journal_id IS NOT NULL GROUP BY 1, 2""",
            "journal counters",
        )
        for table in (
            "crm_counterparty",
            "correspondence_project",
            "correspondence_thread",
            "correspondence_incomingletter",
            "correspondence_outgoingletter",
            "contracts_contract",
            "workflow_task",
            "workflow_route",
            "workflow_routeround",
            "workflow_routestage",
            "workflow_routestep",
        ):
            self.run(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(max(id), 1) FROM {table}))"
            )


def _indexes_drop(cursor) -> list[str]:
    """Drop the secondary indexes of the big tables (not those behind constraints); return the
    statements that build them again."""
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = ANY(%s::regclass[])
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [list(BIG_TABLES)],
    )
    rows = cursor.fetchall()
    for name, _definition in rows:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in rows]


def load(plan, *, seed: int, checked: bool, log: Callable[[str], None]) -> None:
    from django.db import connection, transaction

    loader = Loader(plan, seed, log)
    loader.org()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        if not checked:
            cursor.execute("SET LOCAL session_replication_role = replica")
        indexes = _indexes_drop(cursor)
        loader.documents()
        # the steps carry their route's document type: the trigger that keeps it does not fire
        # while loading
        cursor.execute(
            "UPDATE workflow_routestep s SET document_type = r.document_type"
            " FROM workflow_route r WHERE r.id = s.route_id"
        )
        if checked:  # every deferred foreign key check runs now, before the indexes
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for definition in indexes:
            cursor.execute(definition)
        log(f"{len(indexes)} indexes built")
