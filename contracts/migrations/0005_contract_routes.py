"""Move contract approval into the shared route engine: a route per submitted contract, a round per
approval round, and in each round the stages the contract went through — preparation (its task),
one stage per approval group (one step per Approval row), invoice signing and contract signing
(their tasks). Every decision, comment, deadline, deputy and task is kept; a round still running
gets the signing stages it has not reached yet, resolved when they open. Open approval and
revision tasks become the engine's kinds; preparation and signing keep theirs."""

from django.db import migrations

PREPARE, SIGN_INVOICE, SIGN_CONTRACT = (
    "contracts.prepare",
    "contracts.sign_invoice",
    "contracts.sign_contract",
)
RENAMED = {"contracts.approve": "workflow.route_approve", "contracts.revise": "workflow.route_revise"}
RUNNING_STATES = {"preparation", "approval", "invoice_signing", "signing"}
FUND_REASON = "Прикреплён к фонду"
DEFAULT_NAMES = {
    "preparation": "Подготовка документоведом",
    "invoice_signing": "Подписание счёта",
    "contract_signing": "Подписание договора",
}
TASK_STAGES = (
    # task kind, phase (= the contract's stage kind), step kind, decisions by task outcome
    (PREPARE, "preparation", "approve", {"done": "approve", "return": "return"}),
    (SIGN_INVOICE, "invoice_signing", "sign", {"signed": "sign", "rejected": "reject"}),
    (SIGN_CONTRACT, "contract_signing", "sign", {"signed": "sign", "rejected": "reject"}),
)
APPROVAL_STEP = {
    "waiting": ("waiting", ""),
    "pending": ("pending", ""),
    "approved": ("decided", "approve"),
    "returned": ("decided", "return"),
    "cancelled": ("cancelled", ""),
}


def _group_stage_status(statuses: set[str]) -> str:
    if "pending" in statuses:
        return "active"
    if statuses == {"approved"}:
        return "done"
    if statuses == {"waiting"}:
        return "waiting"
    return "cancelled"


def _task_stage_status(task, decision: str) -> str:
    if task.status == "open":
        return "active"
    if task.status == "done" and decision in ("approve", "sign"):
        return "done"
    return "cancelled"


class Builder:
    """Builds one contract's route from its Approval rows and process tasks."""

    def __init__(self, apps, contract, approvals, tasks, configured):
        self.models = {
            name: apps.get_model("workflow", name)
            for name in ("Route", "RouteRound", "RouteStage", "RouteStep")
        }
        self.contract = contract
        self.approvals = approvals
        self.tasks = tasks
        self.tasks_by_id = {t.pk: t for t in tasks}
        self.configured = configured  # stage kind -> configured Stage of the type
        revisions = sorted(t.created_at for t in tasks if t.kind == "contracts.revise")
        last = max([contract.round, *[a.round for a in approvals]])
        self.last = last

        def round_of(task):
            return min(last, 1 + sum(1 for moment in revisions if moment < task.created_at))

        self.round_of = round_of

    def stage_name(self, kind: str) -> str:
        stage = self.configured.get(kind)
        return stage.name if stage else DEFAULT_NAMES[kind]

    def deadline(self, kind: str):
        stage = self.configured.get(kind)
        return stage.deadline_days if stage else 2

    def build(self, content_type_id: int) -> None:
        contract = self.contract
        status = contract.status
        Route = self.models["Route"]
        rounds = [self._round_parts(n) for n in range(1, self.last + 1)]
        rejected_by = next(
            (step for step in rounds[-1]["decided"] if step["decision"] == "reject"), None
        )
        if status in RUNNING_STATES:
            route_status = "running"
        elif status == "returned":
            route_status = "returned"
        elif status == "active":
            route_status = "done"
        elif status == "rejected" and rejected_by is not None:
            route_status = "rejected"
        else:
            route_status = "withdrawn"  # given up after a return
        starts = [r["started_at"] for r in rounds if r["started_at"]]
        route = Route.objects.create(
            content_type_id=content_type_id,
            object_id=contract.pk,
            document_type="contracts.contract",
            status=route_status,
            round=self.last,
            author_id=contract.initiator_id,
            started_at=min(starts) if starts else contract.created_at,
            finished_at=contract.stage_changed_at if route_status != "running" else None,
        )
        for number, parts in enumerate(rounds, start=1):
            self._round_create(route, number, parts, route_status)

    def _round_parts(self, number: int) -> dict:
        """The stages of round ``number`` as plain data, in order."""
        stages = []
        tasks = [t for t in self.tasks if self.round_of(t) == number]
        for kind, phase, step_kind, decisions in TASK_STAGES[:1]:
            stages += self._task_stages(tasks, kind, phase, step_kind, decisions)
        approvals = [a for a in self.approvals if a.round == number]
        for group in sorted({a.group for a in approvals}):
            rows = [a for a in approvals if a.group == group]
            fund = all(a.reason.startswith(FUND_REASON) for a in rows)
            fund_name = self.contract.fund.name if self.contract.fund_id else ""
            stages.append(
                {
                    "name": f"Сотрудники фонда «{fund_name}»"
                    if fund
                    else f"Согласование, группа {group}",
                    "phase": "fund_members" if fund else "approval",
                    "status": _group_stage_status({a.status for a in rows}),
                    "flags": (True, False),
                    "steps": [self._approval_step(a) for a in rows],
                }
            )
        for kind, phase, step_kind, decisions in TASK_STAGES[1:]:
            stages += self._task_stages(tasks, kind, phase, step_kind, decisions)
        if number == self.last and self.contract.status in RUNNING_STATES:
            present = {s["phase"] for s in stages}
            for kind in ("invoice_signing", "contract_signing"):
                if kind in present or (
                    kind == "invoice_signing" and kind not in self.configured
                ):
                    continue
                stages.append(self._waiting_signing(kind))
        steps = [step for stage in stages for step in stage["steps"]]
        moments = [s["started_at"] for s in steps if s["started_at"]]
        return {
            "stages": stages,
            "decided": [s for s in steps if s["decision"]],
            "started_at": min(moments) if moments else None,
        }

    def _task_stages(self, tasks, kind, phase, step_kind, decisions) -> list[dict]:
        stages = []
        for task in (t for t in tasks if t.kind == kind):
            decision = decisions.get(task.outcome, "") if task.status == "done" else ""
            stages.append(
                {
                    "name": self.stage_name(phase),
                    "phase": phase,
                    "status": _task_stage_status(task, decision),
                    "flags": (True, False) if phase == "preparation" else (False, True),
                    "steps": [
                        {
                            "kind": step_kind,
                            "participant_id": task.original_assignee_id or task.assignee_id,
                            "deputy_id": task.assignee_id if task.original_assignee_id else None,
                            "role": "",
                            "reason": "",
                            "task_kind": kind,
                            "deadline_days": self.deadline(phase),
                            "status": {"open": "pending", "done": "decided"}.get(
                                task.status, "cancelled"
                            ),
                            "task_id": task.pk,
                            "started_at": task.created_at,
                            "decision": decision,
                            "comment": task.comment if task.status == "done" else "",
                            "decided_at": task.completed_at if decision else None,
                            "decided_by_id": task.completed_by_id if decision else None,
                            "due_at_fixed": None,
                        }
                    ],
                }
            )
        return stages

    def _approval_step(self, approval) -> dict:
        status, decision = APPROVAL_STEP[approval.status]
        task = self.tasks_by_id.get(approval.task_id)
        acting = task.assignee_id if task is not None else None
        return {
            "kind": "approve",
            "participant_id": approval.approver_id,
            "deputy_id": acting if acting and acting != approval.approver_id else None,
            "role": "",
            "reason": approval.reason,
            "task_kind": "",
            "deadline_days": approval.deadline_days,
            "status": status,
            "task_id": approval.task_id,
            "started_at": approval.started_at,
            "decision": decision,
            "comment": approval.comment,
            "decided_at": approval.decided_at,
            "decided_by_id": approval.decided_by_id,
            "due_at_fixed": approval.due_at if approval.task_id is None else None,
        }

    def _waiting_signing(self, kind: str) -> dict:
        """A signing stage the running round has not reached: its signer is found when it opens
        (the document type resolves the role then)."""
        return {
            "name": self.stage_name(kind),
            "phase": kind,
            "status": "waiting",
            "flags": (False, True),
            "steps": [
                {
                    "kind": "sign",
                    "participant_id": None,
                    "deputy_id": None,
                    "role": kind,
                    "reason": "",
                    "task_kind": SIGN_INVOICE if kind == "invoice_signing" else SIGN_CONTRACT,
                    "deadline_days": self.deadline(kind),
                    "status": "waiting",
                    "task_id": None,
                    "started_at": None,
                    "decision": "",
                    "comment": "",
                    "decided_at": None,
                    "decided_by_id": None,
                    "due_at_fixed": None,
                }
            ],
        }

    def _round_create(self, route, number: int, parts: dict, route_status: str) -> None:
        RouteRound, RouteStage, RouteStep = (
            self.models["RouteRound"],
            self.models["RouteStage"],
            self.models["RouteStep"],
        )
        decided = parts["decided"]
        ender = next((s for s in decided if s["decision"] in ("return", "reject")), None)
        last = number == self.last
        if ender is not None:
            outcome = "returned" if ender["decision"] == "return" else "rejected"
        elif last and route_status == "running":
            outcome = "running"
        elif last and route_status == "done":
            outcome = "approved"
        else:
            outcome = "withdrawn"
        moments = [s["decided_at"] for s in decided if s["decided_at"]]
        RouteRound.objects.create(
            route=route,
            number=number,
            started_at=parts["started_at"] or self.contract.submitted_at or route.started_at,
            started_by_id=self.contract.initiator_id,
            outcome=outcome,
            ended_at=(
                ender["decided_at"]
                if ender
                else (max(moments) if moments and outcome != "running" else None)
            ),
            ended_by_id=ender["decided_by_id"] if ender else None,
            end_comment=ender["comment"] if ender else "",
        )
        for order, stage in enumerate(parts["stages"]):
            allow_return, allow_reject = stage["flags"]
            steps = stage["steps"]
            stage_row = RouteStage.objects.create(
                route=route,
                round=number,
                order=order,
                name=stage["name"][:255],
                phase=stage["phase"],
                allow_return=allow_return,
                allow_reject=allow_reject,
                status=stage["status"],
                started_at=min((s["started_at"] for s in steps if s["started_at"]), default=None),
                completed_at=(
                    max((s["decided_at"] for s in steps if s["decided_at"]), default=None)
                    if stage["status"] == "done"
                    else None
                ),
            )
            RouteStep.objects.bulk_create(
                RouteStep(stage=stage_row, route=route, round=number, order=index, **step)
                for index, step in enumerate(steps)
            )


def forward(apps, schema_editor):
    Contract = apps.get_model("contracts", "Contract")
    Approval = apps.get_model("contracts", "Approval")
    Stage = apps.get_model("contracts", "Stage")
    Task = apps.get_model("workflow", "Task")
    ContentType = apps.get_model("contenttypes", "ContentType")

    content_type, _ = ContentType.objects.get_or_create(app_label="contracts", model="contract")
    configured = {}
    for stage in Stage.objects.all():
        configured.setdefault(stage.contract_type_id, {})[stage.kind] = stage
    kinds = [PREPARE, SIGN_INVOICE, SIGN_CONTRACT, *RENAMED]
    submitted = Contract.objects.filter(round__gte=1).select_related("fund").order_by("pk")
    for contract in submitted.iterator(chunk_size=200):
        approvals = list(Approval.objects.filter(contract=contract).order_by("round", "group", "id"))
        tasks = list(
            Task.objects.filter(
                content_type=content_type, object_id=contract.pk, kind__in=kinds
            ).order_by("created_at", "id")
        )
        Builder(apps, contract, approvals, tasks, configured.get(contract.contract_type_id, {})).build(
            content_type.pk
        )
    for old, new in RENAMED.items():
        Task.objects.filter(content_type=content_type, kind=old).update(kind=new)


def backward(apps, schema_editor):
    Route = apps.get_model("workflow", "Route")
    Task = apps.get_model("workflow", "Task")
    Route.objects.filter(document_type="contracts.contract").delete()
    for old, new in RENAMED.items():
        Task.objects.filter(
            kind=new, content_type__app_label="contracts", content_type__model="contract"
        ).update(kind=old)


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0004_alter_approvalrule_approver_role_and_more"),
        ("workflow", "0006_history_task_bookkeeping"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forward, backward)]
