"""The bulk load behind ``bench/scale.py``: the org structure through the ORM (a few hundred
rows), everything else with INSERT ... SELECT over generate_series. Pseudo-random choices come
from ``hashint8extended(i, seed)``, so a row depends only on its number and the seed.

Id ranges are computed, not looked up: incoming letter i has route i, review step and task i,
execution step and task N+i; outgoing letter j has route N+j; and so on (see ``_ids``)."""

from __future__ import annotations

from collections.abc import Callable

YEARS_SQL = "5 years"
# tables whose secondary indexes are dropped during the load and built afterwards
BIG_TABLES = (
    "crm_counterparty",
    "correspondence_thread",
    "correspondence_incomingletter",
    "correspondence_incomingletter_co_executors",
    "correspondence_outgoingletter",
    "contracts_contract",
    "workflow_task",
    "workflow_route",
    "workflow_routeround",
    "workflow_routestage",
    "workflow_routestep",
    "workflow_timer",
    "workflow_historyentry",
    "workflow_notification",
)

TOPICS = [
    "О поставке",
    "Запрос по",
    "Претензия по",
    "Уведомление по",
    "Счёт по",
    "О продлении договора по",
    "Акт сверки по",
    "Предложение по",
    "Жалоба по",
    "Информационное письмо по",
    "Гарантийное письмо по",
    "Ответ на запрос по",
]
OBJECTS = [
    "оборудования",
    "аренде помещения",
    "договору подряда",
    "ремонту кровли",
    "уборке территории",
    "вывозу мусора",
    "охране объекта",
    "энергоснабжению",
    "водоснабжению",
    "техническому обслуживанию лифтов",
    "арендной плате",
    "благоустройству",
    "пожарной безопасности",
    "установке счётчиков",
    "закупке мебели",
    "поставке материалов",
    "налоговой проверке",
    "трудовой инспекции",
    "парковке",
    "телекоммуникациям",
]
COMPANY_WORDS = [
    "Альфа",
    "Бета",
    "Вектор",
    "Гранит",
    "Дельта",
    "Енисей",
    "Жемчуг",
    "Заря",
    "Импульс",
    "Кедр",
    "Лотос",
    "Меридиан",
    "Нева",
    "Орион",
    "Полюс",
    "Радуга",
    "Сигма",
    "Титан",
    "Урал",
    "Феникс",
    "Ёлка",
    "Эталон",
    "Юпитер",
    "Янтарь",
]
COMPANY_FORMS = ["ООО", "АО", "ИП", "ПАО", "ГУП"]


FIRST_NAMES = ["Анна", "Иван", "Мария", "Пётр", "Ольга", "Сергей", "Елена", "Алексей", "Наталья"]
LAST_NAMES = ["Иванов", "Петров", "Сидоров", "Смирнов", "Кузнецов", "Попов", "Волков", "Зайцев"]
DEPARTMENT_NAMES = [
    "Дирекция",
    "Канцелярия",
    "Коммерческий отдел",
    "Юридический отдел",
    "Бухгалтерия",
    "Отдел эксплуатации",
    "Отдел аренды",
    "Отдел закупок",
    "Отдел персонала",
    "ИТ-отдел",
]
COUNTERPARTY_CATEGORIES = ["tenant", "government", "contractor", "client", "other"]
COUNTERPARTY_STATUSES = ["imported", "imported", "imported", "in_progress", "launched", "refused"]
DELIVERY = ["email", "post", "courier", "edo"]


def arr(values) -> str:
    """A SQL text[] literal (the statements here run without parameters: their % is modulo)."""
    quoted = ",".join("'" + str(v).replace("'", "''") + "'" for v in values)
    return f"(ARRAY[{quoted}]::text[])"


def iarr(values) -> str:
    return "(ARRAY[" + ",".join(str(int(v)) for v in values) + "]::bigint[])"


class Loader:
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

    def org(self) -> None:
        from django.contrib.auth import get_user_model
        from django.contrib.auth.hashers import make_password
        from django.contrib.contenttypes.models import ContentType
        from scale import PASSWORD

        from contracts.models import Contract, ContractType
        from contracts.name_template import DEFAULT_NAME_TEMPLATE
        from correspondence.models import IncomingLetter, OutgoingLetter, RegistrationJournal
        from crm.models import name_key
        from workflow.models import Department, Employee, LegalEntity, Task

        self.name_key = name_key
        p = self.p
        user_model = get_user_model()
        password = make_password(PASSWORD)
        entities = [
            LegalEntity.objects.create(
                name="АО «Аргон Девелопмент»", short_name="Аргон", code="АД", inn="7701000001"
            ),
            LegalEntity.objects.create(
                name="ООО «Аргон Недвижимость»", short_name="Аргон Н", code="АН", inn="7701000002"
            ),
        ]
        per_entity = p.departments // 2
        departments = []
        for entity in entities:
            top = Department.objects.create(
                legal_entity=entity, name=f"{DEPARTMENT_NAMES[0]} {entity.code}"
            )
            departments.append(top)
            for n in range(1, per_entity):
                name = DEPARTMENT_NAMES[n % len(DEPARTMENT_NAMES)]
                if n >= len(DEPARTMENT_NAMES):
                    name = f"{name} {n // len(DEPARTMENT_NAMES) + 1}"
                departments.append(
                    Department.objects.create(legal_entity=entity, parent=top, name=name)
                )
        # the measured roles sit in the first entity: the head and the employee in its third
        # department (the commercial one) when there is one, the registrar in the office
        head_dept = 2 if per_entity > 2 else 1
        named = {(0, 0): "director", (1, 1): "office", (head_dept, 0): "head"}
        if head_dept == 1:
            named[(1, 2)] = "employee"
        else:
            named[(head_dept, 1)] = "employee"
        users, members = [], {d: [] for d in range(len(departments))}
        for k in range(p.employees):
            d = k % len(departments)
            slot = len(members[d])
            username = named.get((d, slot), f"user{k:03d}")
            users.append(
                user_model(
                    username=username,
                    password=password,
                    first_name=FIRST_NAMES[k % len(FIRST_NAMES)],
                    last_name=LAST_NAMES[(k // 3) % len(LAST_NAMES)] + f" {k}",
                    email=f"{username}@argo-bench.example",
                )
            )
            members[d].append(k)
        users = user_model.objects.bulk_create(users)
        roles = {k: [] for k in range(p.employees)}
        roles[members[0][0]].append("general_director")
        roles[members[per_entity][0]].append("director")
        registrars = [members[1][1], members[1][min(3, len(members[1]) - 1)]]
        for k in registrars:
            roles[k].append("registrar")
        roles[members[per_entity + 1][1]].append("registrar")
        lawyer, accountant, specialist = members[0][1], members[0][2], members[0][3]
        roles[lawyer].append("lawyer")
        roles[accountant].append("accountant")
        roles[specialist].append("document_specialist")
        Employee.objects.bulk_create(
            Employee(
                user=users[k],
                department=departments[k % len(departments)],
                position="Руководитель" if members[k % len(departments)][0] == k else "Специалист",
                roles=roles[k],
            )
            for k in range(p.employees)
        )
        for d, department in enumerate(departments):
            department.head = users[members[d][0]]
            department.save(update_fields=["head"])
        journals = {}
        for entity in entities:
            for direction, index in (("incoming", "Вх"), ("outgoing", "Исх")):
                journals[entity.pk, direction] = RegistrationJournal.objects.create(
                    name=f"{'Входящие' if direction == 'incoming' else 'Исходящие'} {entity.code}",
                    direction=direction,
                    legal_entity=entity,
                    index=index,
                )
        types = [
            ContractType.objects.create(
                name=name, direction=direction, name_template=DEFAULT_NAME_TEMPLATE
            )
            for name, direction in (("Аренда", "income"), ("Подряд", "expense"))
        ]
        self.types = [t.pk for t in types]
        self.gd = users[members[0][0]].pk
        self.lawyer, self.accountant = users[lawyer].pk, users[accountant].pk
        self.specialist = users[specialist].pk
        self.all_users = [u.pk for u in users]
        ct = ContentType.objects.get_for_model
        self.ct_in, self.ct_out = ct(IncomingLetter).pk, ct(OutgoingLetter).pk
        self.ct_con, self.ct_task = ct(Contract).pk, ct(Task).pk
        c = self.cursor
        c.execute(
            "CREATE TEMP TABLE bench_le (idx int, id bigint, code text, director_id int, "
            "registrars int[], in_journal bigint, out_journal bigint)"
        )
        for idx, entity in enumerate(entities):
            top = departments[idx * per_entity]
            regs = (
                [users[k].pk for k in registrars] + [users[registrars[0]].pk]
                if idx == 0
                else [users[members[per_entity + 1][1]].pk]
            )
            c.execute(
                "INSERT INTO bench_le VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [
                    idx,
                    entity.pk,
                    entity.code,
                    top.head_id,
                    regs,
                    journals[entity.pk, "incoming"].pk,
                    journals[entity.pk, "outgoing"].pk,
                ],
            )
        c.execute(
            "CREATE TEMP TABLE bench_dept (idx int, id bigint, le_idx int, head_id int, n_emp int)"
        )
        c.execute("CREATE TEMP TABLE bench_emp (dept_idx int, k int, user_id int)")
        c.execute("CREATE TEMP TABLE bench_user (n int, user_id int, dept_idx int)")
        for d, department in enumerate(departments):
            c.execute(
                "INSERT INTO bench_dept VALUES (%s, %s, %s, %s, %s)",
                [d, department.pk, d // per_entity, department.head_id, len(members[d])],
            )
            for slot, k in enumerate(members[d]):
                c.execute("INSERT INTO bench_emp VALUES (%s, %s, %s)", [d, slot, users[k].pk])
        for n, k in enumerate(range(p.employees)):
            c.execute(
                "INSERT INTO bench_user VALUES (%s, %s, %s)", [n, users[k].pk, k % len(departments)]
            )
        self.log(
            f"organisation: {len(entities)} entities, {len(departments)} departments, "
            f"{p.employees} employees"
        )

    # --- documents -------------------------------------------------------------------------------

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
        if checked:  # every deferred foreign key check runs now, before the indexes
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for definition in indexes:
            cursor.execute(definition)
        log(f"{len(indexes)} indexes built")
