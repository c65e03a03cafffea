"""The generated organisation (bench/scale.py): entities, departments, employees with the measured
roles, journals and contract types through the ORM, and temp tables the bulk SQL joins on."""

from __future__ import annotations

from scale_words import DEPARTMENT_NAMES, FIRST_NAMES, LAST_NAMES


class OrgMixin:
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
