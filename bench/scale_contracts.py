"""Contracts with their routes, and instructions without a document (bench/scale.py)."""

from __future__ import annotations

from scale_words import OBJECTS, arr, iarr


class ContractsMixin:
    def _contracts(self, b_con: int, s_con: int) -> None:
        p, h = self.p, self.h
        N, M, K, C, E = p.letters, p.outgoing, p.contracts, p.companies, p.employees
        t0 = "(SELECT t0 FROM bench_time)"
        span = "(extract(epoch FROM (SELECT t_end - t0 FROM bench_time)) - 3600)"
        statuses = [
            "rejected",
            "draft",
            "preparation",
            "approval",
            "approval",
            "invoice_signing",
            "signing",
        ] + ["active"] * 13
        current = {
            "draft": -1,
            "preparation": 0,
            "approval": 1,
            "invoice_signing": 2,
            "signing": 3,
            "active": 4,
            "rejected": 1,
        }
        cur_case = (
            "CASE status " + " ".join(f"WHEN '{s}' THEN {n}" for s, n in current.items()) + " END"
        )
        self.run(
            f"""
            CREATE TEMP TABLE bench_con AS
            SELECT q.*, {cur_case} AS cur, u.user_id AS initiator, dp.id AS dept_id,
              CASE WHEN dp.head_id = u.user_id THEN {self.gd} ELSE dp.head_id END AS head_id
            FROM (
              SELECT k, 1 + {h("k", 31)} % {C} AS cp_id, {h("k", 32)} % {E} AS un,
                {arr(statuses)}[1 + {h("k", 33)} % {len(statuses)}] AS status,
                {t0} + ((k - 1)::float8 * {span} / {K}) * interval '1 second' AS at,
                {arr(OBJECTS)}[1 + {h("k", 34)} % {len(OBJECTS)}] AS subject
              FROM generate_series(1, {K}) k
            ) q JOIN bench_user u ON u.n = q.un JOIN bench_dept dp ON dp.idx = u.dept_idx
            """,
            "contract plan",
        )
        self.run(
            f"""
            INSERT INTO contracts_contract (id, number, name, subject, amount, starts_on, ends_on,
              extra, status, created_at, submitted_at, stage_changed_at, counterparty_id,
              department_id, initiator_id, contract_type_id)
            SELECT k, CASE WHEN status <> 'draft' THEN k END,
              'Договор № ' || k || ' — ' || subject, 'Договор по ' || subject,
              ({h("k", 35)} % 100000) * 1000, at::date, at::date + 365, '{{}}'::jsonb, status, at,
              CASE WHEN status <> 'draft' THEN at + interval '1 hour' END,
              at + (GREATEST(cur, 0) * 2) * interval '1 day', cp_id, dept_id, initiator,
              {iarr(self.types)}[1 + {h("k", 36)} % 2]
            FROM bench_con
            """,
            "contracts",
        )
        self._route_rows(
            f"""SELECT {N + M} + k AS rid, k AS oid, 'contracts.contract' AS dtype,
              status NOT IN ('active', 'rejected') AS running,
              CASE WHEN status = 'rejected' THEN 'rejected' ELSE 'done' END AS final,
              at + interval '1 hour' AS started, initiator AS author, {self.ct_con} AS ct
            FROM bench_con WHERE status <> 'draft'""",
            "contract",
        )
        stages = [
            ("Подготовка", "preparation"),
            ("Согласование", "approval"),
            ("Подписание счёта", "invoice_signing"),
            ("Подписание договора", "contract_signing"),
        ]
        self.run(
            "CREATE TEMP TABLE bench_stage (s int, name text, phase text); "
            + "INSERT INTO bench_stage VALUES "
            + ",".join(f"({s}, '{n}', '{ph}')" for s, (n, ph) in enumerate(stages))
        )
        self.run(
            self.stage_sql
            + f"""SELECT {s_con} + 4 * (k - 1) + s + 1, 1, s, st.name, st.phase, 'all', true,
              st.phase = 'approval',
              CASE WHEN s < cur THEN 'done' WHEN s = cur AND status = 'rejected' THEN 'cancelled'
                   WHEN s = cur AND status <> 'active' THEN 'active' ELSE 'waiting' END,
              CASE WHEN s <= cur THEN at + (1 + s * 2) * interval '1 day' END,
              CASE WHEN s < cur THEN at + (3 + s * 2) * interval '1 day' END, {N + M} + k
            FROM bench_con CROSS JOIN bench_stage st WHERE status <> 'draft'""",
            "contract stages",
        )
        # six steps: preparation; lawyer, accountant, head (approval); two signatures
        steps = [
            (0, "execute", "document_specialist", "contracts.prepare", self.specialist),
            (1, "approve", "lawyer", "workflow.route_approve", self.lawyer),
            (1, "approve", "accountant", "workflow.route_approve", self.accountant),
            (1, "approve", "initiator_head", "workflow.route_approve", None),
            (2, "sign", "general_director", "contracts.sign_invoice", self.gd),
            (3, "sign", "general_director", "contracts.sign_contract", self.gd),
        ]
        self.run(
            "CREATE TEMP TABLE bench_step (st int, s int, kind text, role text, task_kind text, "
            "who int, decision text); INSERT INTO bench_step VALUES "
            + ",".join(
                f"({n}, {s}, '{kind}', '{role}', '{tk}', {who or 'NULL'}, "
                f"'{ {'execute': 'done', 'approve': 'approve', 'sign': 'sign'}[kind] }')"
                for n, (s, kind, role, tk, who) in enumerate(steps)
            )
        )
        # each step's state: decided before the current stage, pending at it, else waiting;
        # a rejected contract's lawyer rejected it and the other approvers were not needed
        self.run(
            f"""CREATE TEMP TABLE bench_cstep AS
            SELECT c.k, c.at, c.cur, c.status AS cstatus, c.initiator, st.*,
              COALESCE(st.who, c.head_id) AS participant,
              CASE WHEN c.status = 'rejected' AND st.s = 1 THEN
                     CASE WHEN st.role = 'lawyer' THEN 'decided' ELSE 'cancelled' END
                   WHEN st.s < c.cur THEN 'decided'
                   WHEN st.s = c.cur AND c.status <> 'active' THEN 'pending'
                   ELSE 'waiting' END AS state,
              {s_con} + 6 * (c.k - 1) + st.st + 1 AS step_id,
              {s_con} + 4 * (c.k - 1) + st.s + 1 AS stage_id,
              {b_con} + 6 * (c.k - 1) + st.st + 1 AS task_id
            FROM bench_con c CROSS JOIN bench_step st WHERE c.status <> 'draft'""",
            "contract step plan",
        )
        self.run(
            """INSERT INTO workflow_task (id, kind, title, description, object_id, created_at,
              due_at, status, outcome, comment, completed_at, assignee_id, completed_by_id,
              content_type_id, created_by_id)
            SELECT task_id, task_kind, 'Договор № ' || k || ': ' || role, '', k,
              at + (1 + s * 2) * interval '1 day', at + (4 + s * 2) * interval '1 day',
              CASE WHEN state = 'pending' THEN 'open' ELSE 'done' END,
              CASE WHEN state = 'pending' THEN ''
                   WHEN cstatus = 'rejected' THEN 'reject' ELSE decision END, '',
              CASE WHEN state = 'decided' THEN at + (3 + s * 2) * interval '1 day' END,
              participant, CASE WHEN state = 'decided' THEN participant END, """
            + f"""{self.ct_con}, initiator
            FROM bench_cstep WHERE state IN ('decided', 'pending')""",
            "contract tasks",
        )
        self.run(
            self.step_sql
            + f"""SELECT step_id, 1, st, kind, role, '', task_kind, true, state,
              CASE WHEN state IN ('decided', 'pending') THEN at + (1 + s * 2) * interval '1 day'
              END,
              CASE WHEN state <> 'decided' THEN ''
                   WHEN cstatus = 'rejected' THEN 'reject' ELSE decision END,
              CASE WHEN cstatus = 'rejected' AND state = 'decided' AND s = 1
                   THEN 'Условия не согласованы' ELSE '' END,
              CASE WHEN state = 'decided' THEN at + (3 + s * 2) * interval '1 day' END,
              CASE WHEN state = 'decided' THEN participant END, participant, {N + M} + k,
              stage_id, CASE WHEN state IN ('decided', 'pending') THEN task_id END
            FROM bench_cstep""",
            "contract steps",
        )
        self.run(
            """INSERT INTO contracts_contract_participants (contract_id, user_id)
            SELECT DISTINCT k, participant FROM bench_cstep
            WHERE state IN ('decided', 'pending') AND participant <> initiator""",
            "contract participants",
        )

    def _instructions(self, b_ins: int) -> None:
        p, h = self.p, self.h
        Q, E = p.instructions, p.employees
        t0 = "(SELECT t0 FROM bench_time)"
        span = "(extract(epoch FROM (SELECT t_end - t0 FROM bench_time)) - 3600)"
        self.run(
            f"""INSERT INTO workflow_task (id, kind, title, description, object_id, created_at,
              due_at, status, outcome, comment, completed_at, assignee_id, completed_by_id,
              content_type_id, created_by_id)
            SELECT {b_ins} + q, 'workflow.instruction',
              'Поручение: ' || {arr(OBJECTS)}[1 + {h("q", 41)} % {len(OBJECTS)}], '', NULL, at,
              at + interval '5 days', CASE WHEN is_open THEN 'open' ELSE 'done' END,
              CASE WHEN is_open THEN '' ELSE 'done' END, '',
              CASE WHEN NOT is_open THEN at + interval '3 days' END, u.user_id,
              CASE WHEN NOT is_open THEN u.user_id END, NULL,
              CASE WHEN dp.head_id = u.user_id THEN {self.gd} ELSE dp.head_id END
            FROM (
              SELECT q, {h("q", 42)} % {E} AS un, q > {Q - p.open_instructions} AS is_open,
                {t0} + ((q - 1)::float8 * {span} / {Q}) * interval '1 second' AS at
              FROM generate_series(1, {Q}) q
            ) i JOIN bench_user u ON u.n = i.un JOIN bench_dept dp ON dp.idx = u.dept_idx""",
            "instructions",
        )
