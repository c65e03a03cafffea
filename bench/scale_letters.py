"""Routes of incoming letters and the outgoing letters with theirs (bench/scale.py)."""

from __future__ import annotations

from scale_words import DELIVERY, arr


class LettersMixin:
    def _route_rows(self, select: str, what: str) -> None:
        """``select`` yields (route id, content type, object id, document type, running?,
        started, author)."""
        self.run(
            f"""INSERT INTO workflow_route (id, object_id, document_type, status, round, warning,
              started_at, finished_at, author_id, content_type_id)
            SELECT rid, oid, dtype, CASE WHEN running THEN 'running' ELSE final END, 1, '',
              started, CASE WHEN NOT running THEN started + interval '5 days' END, author, ct
            FROM ({select}) r""",
            f"{what} routes",
        )
        self.run(
            f"""INSERT INTO workflow_routeround (id, number, started_at, note, outcome, ended_at,
              end_comment, first_stage, route_id, started_by_id)
            SELECT rid, 1, started, '',
              CASE WHEN running THEN 'running' WHEN final = 'done' THEN 'approved' ELSE final END,
              CASE WHEN NOT running THEN started + interval '5 days' END, '', 0, rid, author
            FROM ({select}) r""",
            f"{what} rounds",
        )

    def _routes_incoming(self) -> None:
        N = self.p.letters
        self._route_rows(
            f"""SELECT i AS rid, i AS oid, 'correspondence.incoming' AS dtype, is_open AS running,
              'done' AS final, at AS started, reg_by AS author, {self.ct_in} AS ct FROM bench_in""",
            "incoming",
        )
        stage = (
            'INSERT INTO workflow_routestage (id, round, "order", name, phase, rule, '
            "allow_return, allow_reject, status, started_at, completed_at, route_id) "
        )
        self.run(
            stage
            + """SELECT i, 1, 0, 'Рассмотрение', 'review', 'all', false, false, 'done', at,
              at + interval '4 hours', i FROM bench_in""",
            "incoming review stages",
        )
        self.run(
            stage
            + f"""SELECT {N} + i, 1, 1, 'Исполнение', 'execution', 'all', false, false,
              CASE WHEN is_open THEN 'active' ELSE 'done' END, at + interval '4 hours',
              CASE WHEN NOT is_open THEN at + interval '5 days' END, i FROM bench_in""",
            "incoming execution stages",
        )
        step = (
            'INSERT INTO workflow_routestep (id, round, "order", kind, role, reason, '
            "task_kind, blocking, status, started_at, decision, comment, decided_at, "
            "decided_by_id, participant_id, route_id, stage_id, task_id) "
        )
        self.run(
            step
            + """SELECT i, 1, 0, 'review', 'department_head', '', 'workflow.route_review',
              true, 'decided', at, 'review', '', at + interval '4 hours', head_id, head_id, i, i, i
            FROM bench_in""",
            "incoming review steps",
        )
        self.run(
            step
            + f"""SELECT {N} + i, 1, 0, 'execute', 'responsible', '', 'correspondence.execute',
              true, CASE WHEN is_open THEN 'pending' ELSE 'decided' END, at + interval '4 hours',
              CASE WHEN is_open THEN '' ELSE 'done' END, '',
              CASE WHEN NOT is_open THEN at + interval '5 days' END,
              CASE WHEN NOT is_open THEN resp_id END, resp_id, i, {N} + i, {N} + i
            FROM bench_in""",
            "incoming execution steps",
        )
        self.step_sql = step
        self.stage_sql = stage

    def _outgoing(self, b_out: int, due: str) -> None:
        p, h = self.p, self.h
        N, M = p.letters, p.outgoing
        self.run(
            f"""
            CREATE TEMP TABLE bench_out AS
            SELECT o.*, CASE WHEN o.is_open THEN NULL ELSE row_number() OVER (
                PARTITION BY o.is_open, o.le_idx, extract(year FROM o.at) ORDER BY o.j) END AS seq,
              extract(year FROM o.at)::int AS yr
            FROM (
              SELECT j, src.i AS src, src.thread_id, src.cp_id, src.dept_id, src.le_idx,
                src.le_id, src.head_id, src.resp_id AS author_id, src.project_id, src.subject,
                src.director_id, le.out_journal, le.code,
                LEAST(src.at + interval '2 days' + ({h("j", 21)} % 72) * interval '1 hour',
                      (SELECT t_end FROM bench_time) - interval '1 hour') AS at,
                j > {M - p.open_outgoing} AS is_open, {h("j", 22)} % 10 < 6 AS is_reply,
                {h("j", 23)} % 10 AS kind
              FROM generate_series(1, {M}) j
              JOIN bench_in src
                ON src.i = GREATEST(1, (j::bigint * {N} / {M}) - {h("j", 20)} % 5)
              JOIN bench_le le ON le.idx = src.le_idx
            ) o
            """,
            "outgoing plan",
        )
        self.run(
            f"""
            INSERT INTO correspondence_outgoingletter (id, subject, text, document_date,
              control_date, reg_number, reg_year, reg_sequence, status, created_at, author_id,
              counterparty_id, executor_id, in_reply_to_id, legal_entity_id, project_id,
              journal_id, thread_id, closed_at, counterparty_number, delivery_method,
              email_attachments, email_body, email_sent_at, email_subject, email_to,
              reaction_comment, registered_at, sent_by_id, sent_on)
            SELECT j, left('Ответ: ' || subject, 500), 'Сообщаем, что вопрос рассмотрен.',
              CASE WHEN NOT is_open THEN at::date END, NULL,
              CASE WHEN is_open THEN '' ELSE 'Исх-' || seq || '/' || code || '/' || yr END,
              CASE WHEN NOT is_open THEN yr END, seq,
              CASE WHEN is_open THEN 'approval' WHEN kind = 0 THEN 'sent' ELSE 'closed' END,
              at, author_id, cp_id, author_id, CASE WHEN is_reply THEN src END, le_id,
              project_id, CASE WHEN NOT is_open THEN out_journal END, thread_id,
              CASE WHEN NOT is_open AND kind <> 0 THEN at + interval '3 days' END, '',
              {arr(DELIVERY)}[1 + kind % 4], '[]'::jsonb, '', NULL, '', '', '',
              CASE WHEN NOT is_open THEN at + interval '1 day' END,
              CASE WHEN NOT is_open THEN author_id END,
              CASE WHEN NOT is_open THEN (at + interval '1 day')::date END
            FROM bench_out
            """,
            "outgoing letters",
        )
        task_cols = (
            "id, kind, title, description, object_id, created_at, due_at, status, outcome, "
            "comment, completed_at, assignee_id, completed_by_id, content_type_id, created_by_id"
        )
        self.run(
            f"""INSERT INTO workflow_task ({task_cols})
            SELECT {b_out} + j, 'workflow.route_approve',
              left('Согласовать исходящее: ' || subject, 255), '', j, at,
              {due % "(at::date + 2)"}, CASE WHEN is_open THEN 'open' ELSE 'done' END,
              CASE WHEN is_open THEN '' ELSE 'approve' END, '',
              CASE WHEN NOT is_open THEN at + interval '6 hours' END,
              head_id, CASE WHEN NOT is_open THEN head_id END, {self.ct_out}, author_id
            FROM bench_out""",
            "outgoing approval tasks",
        )
        self.run(
            f"""INSERT INTO workflow_task ({task_cols})
            SELECT {b_out + M} + j, 'workflow.route_sign',
              left('Подписать исходящее: ' || subject, 255), '', j, at + interval '6 hours',
              {due % "(at::date + 3)"}, 'done', 'sign', '', at + interval '20 hours',
              director_id, director_id, {self.ct_out}, author_id
            FROM bench_out WHERE NOT is_open""",
            "outgoing signing tasks",
        )
        self._route_rows(
            f"""SELECT {N} + j AS rid, j AS oid, 'correspondence.outgoing' AS dtype,
              is_open AS running, 'done' AS final, at AS started, author_id AS author,
              {self.ct_out} AS ct FROM bench_out""",
            "outgoing",
        )
        self.run(
            self.stage_sql
            + f"""SELECT {2 * N} + j, 1, 0, 'Согласование', 'approval', 'all', true, false,
              CASE WHEN is_open THEN 'active' ELSE 'done' END, at,
              CASE WHEN NOT is_open THEN at + interval '6 hours' END, {N} + j FROM bench_out""",
            "outgoing approval stages",
        )
        self.run(
            self.stage_sql
            + f"""SELECT {2 * N + M} + j, 1, 1, 'Подписание', 'signing', 'all', true, false,
              CASE WHEN is_open THEN 'waiting' ELSE 'done' END,
              CASE WHEN NOT is_open THEN at + interval '6 hours' END,
              CASE WHEN NOT is_open THEN at + interval '20 hours' END, {N} + j FROM bench_out""",
            "outgoing signing stages",
        )
        self.run(
            self.step_sql
            + f"""SELECT {2 * N} + j, 1, 0, 'approve', 'department_head', '',
              'workflow.route_approve', true, CASE WHEN is_open THEN 'pending' ELSE 'decided' END,
              at, CASE WHEN is_open THEN '' ELSE 'approve' END, '',
              CASE WHEN NOT is_open THEN at + interval '6 hours' END,
              CASE WHEN NOT is_open THEN head_id END, head_id, {N} + j, {2 * N} + j, {b_out} + j
            FROM bench_out""",
            "outgoing approval steps",
        )
        self.run(
            self.step_sql
            + f"""SELECT {2 * N + M} + j, 1, 0, 'sign', 'director', '', 'workflow.route_sign', true,
              CASE WHEN is_open THEN 'waiting' ELSE 'decided' END,
              CASE WHEN NOT is_open THEN at + interval '6 hours' END,
              CASE WHEN is_open THEN '' ELSE 'sign' END, '',
              CASE WHEN NOT is_open THEN at + interval '20 hours' END,
              CASE WHEN NOT is_open THEN director_id END, director_id, {N} + j, {2 * N + M} + j,
              CASE WHEN NOT is_open THEN {b_out + M} + j END
            FROM bench_out""",
            "outgoing signing steps",
        )
