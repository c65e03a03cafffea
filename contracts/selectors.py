"""Reads with rules: visible contracts, the card, the kanban board and the KPI."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from contracts import roles
from contracts.models import (
    STATUS_STAGE,
    Approval,
    ApprovalStatus,
    Contract,
    ContractStatus,
    ContractType,
    Stage,
    StageKind,
)
from workflow.models import Employee, Task, TaskStatus
from workflow.selectors import has_role, subordinate_department_ids


def contracts_visible_to(user) -> QuerySet:
    """Contracts of the user, those they take part in, their subordinates' ones; all for the
    "all contracts" role and the general director."""
    if not user.is_authenticated:
        return Contract.objects.none()
    base = Contract.objects.all()
    if has_role(user, roles.ALL_CONTRACTS) or has_role(user, roles.GENERAL_DIRECTOR):
        return base
    through = Contract.participants.through
    condition = Q(initiator=user) | Exists(
        through.objects.filter(contract_id=OuterRef("pk"), user_id=user.pk)
    )
    department_ids = subordinate_department_ids(user)
    if department_ids:
        condition |= Q(department_id__in=department_ids) | Exists(
            through.objects.filter(
                contract_id=OuterRef("pk"), user__employee__department_id__in=department_ids
            )
        )
    return base.filter(condition)


def _with_relations(qs: QuerySet) -> QuerySet:
    return qs.select_related("contract_type", "counterparty", "fund", "initiator")


def contract_search(user, *, query: str = "", status: str = "", contract_type=None) -> QuerySet:
    """Visible contracts, found by any part of the generated name (words in any order)."""
    qs = _with_relations(contracts_visible_to(user))
    query = " ".join(query.split())
    if query:
        phrase = qs.filter(name__icontains=query)
        if " " in query and not phrase.exists():
            for word in query.split():  # words in any order: «пошив свет»
                qs = qs.filter(name__icontains=word)
        else:
            qs = phrase
    if status:
        qs = qs.filter(status=status)
    if contract_type is not None:
        qs = qs.filter(contract_type=contract_type)
    return qs.order_by("-created_at", "-id")


def contract_for_card(user, pk: int) -> Contract | None:
    return (
        _with_relations(contracts_visible_to(user))
        .select_related("subject_category", "fund__owner", "department")
        .filter(pk=pk)
        .first()
    )


def approvals_by_round(contract: Contract) -> list[tuple[int, list[Approval]]]:
    """The approval sheet: every round (latest first), each ordered by group."""
    rounds: dict[int, list[Approval]] = defaultdict(list)
    for approval in contract.approvals.select_related("approver", "decided_by").order_by(
        "-round", "group", "id"
    ):
        rounds[approval.round].append(approval)
    return sorted(rounds.items(), reverse=True)


def contract_tasks(contract: Contract) -> QuerySet:
    return (
        Task.objects.filter(
            content_type=ContentType.objects.get_for_model(Contract), object_id=contract.pk
        )
        .select_related("assignee", "original_assignee", "completed_by")
        .order_by("-created_at", "-id")
    )


def stage_bar(contract: Contract) -> list[dict]:
    """The type's stages with the current one marked (a rejected contract shows only its end)."""
    stages = list(Stage.objects.filter(contract_type_id=contract.contract_type_id))
    current = contract.stage_kind
    kinds = [s.kind for s in stages]
    current_index = kinds.index(current) if current in kinds else -1
    bar = []
    for index, stage in enumerate(stages):
        if stage.kind == StageKind.REJECTED and current != StageKind.REJECTED:
            continue
        if current == StageKind.REJECTED and stage.kind == StageKind.ACTIVE:
            continue
        bar.append(
            {
                "name": stage.name,
                "kind": stage.kind,
                "current": index == current_index,
                "done": current_index >= 0 and index < current_index,
            }
        )
    return bar


# --- kanban --------------------------------------------------------------------------------------


KANBAN_CARDS_PER_COLUMN = 50


@dataclass
class Column:
    stage: Stage
    cards: list = field(default_factory=list)
    total: int = 0

    @property
    def hidden(self) -> int:
        return max(self.total - len(self.cards), 0)


def kanban(user, *, contract_type: ContractType, fund=None, initiator=None, overdue=False):
    """Columns of the type's stages with the visible contracts in each (the board only shows)."""
    now = timezone.now()
    overdue_approvals = Approval.objects.filter(
        contract_id=OuterRef("pk"), status=ApprovalStatus.PENDING, due_at__lt=now
    )
    overdue_tasks = Task.objects.filter(
        content_type=ContentType.objects.get_for_model(Contract),
        object_id=OuterRef("pk"),
        status=TaskStatus.OPEN,
        due_at__lt=now,
    )
    qs = (
        _with_relations(contracts_visible_to(user))
        .filter(contract_type=contract_type)
        .annotate(is_overdue=Exists(overdue_approvals) | Exists(overdue_tasks))
        .prefetch_related(
            Prefetch(
                "approvals",
                queryset=Approval.objects.filter(status=ApprovalStatus.PENDING).select_related(
                    "approver"
                ),
                to_attr="pending_approvals",
            )
        )
        .order_by("-stage_changed_at", "-id")
    )
    if fund is not None:
        qs = qs.filter(fund=fund)
    if initiator is not None:
        qs = qs.filter(initiator=initiator)
    if overdue:
        qs = qs.filter(is_overdue=True)
    columns = {s.kind: Column(s) for s in Stage.objects.filter(contract_type=contract_type)}
    # a state the type has no stage for shows on the approval column (or the first one)
    fallback = columns.get(StageKind.APPROVAL) or next(iter(columns.values()), None)

    def column_of(status: str) -> Column | None:
        return columns.get(STATUS_STAGE[ContractStatus(status)], fallback)

    totals = qs.order_by().values("status").annotate(n=Count("pk"))
    for row in totals:
        column = column_of(row["status"])
        if column is not None:
            column.total += row["n"]
    # only the newest cards of each state: a board with years of contracts stays fast
    newest = qs.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("status")],
            order_by=[F("stage_changed_at").desc(), F("pk").desc()],
        )
    ).filter(rank__lte=KANBAN_CARDS_PER_COLUMN)
    for contract in newest:
        column = column_of(contract.status)
        if column is not None:
            column.cards.append(contract)
    return list(columns.values())


# --- KPI -----------------------------------------------------------------------------------------


@dataclass
class KpiRow:
    label: str
    on_time: int = 0
    late: int = 0
    open_overdue: int = 0
    hours: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_percent(self) -> int:
        return round(100 * self.on_time / self.total) if self.total else 0

    @property
    def median_hours(self) -> float | None:
        return round(statistics.median(self.hours), 1) if self.hours else None


def kpi(*, start: dt.date, end: dt.date) -> tuple[list[KpiRow], list[KpiRow]]:
    """Decisions taken in [start, end] per approver and per department: on time vs late, and
    the median time from receiving the task to deciding. Open overdue approvals are counted too."""
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    decided = Q(decided_at__gte=since, decided_at__lt=until) & Q(
        status__in=[ApprovalStatus.APPROVED, ApprovalStatus.RETURNED]
    )
    open_overdue = Q(status=ApprovalStatus.PENDING, due_at__lt=min(timezone.now(), until))
    approvals = Approval.objects.filter(decided | open_overdue).select_related("approver")
    departments = {
        e.user_id: (e.department.name if e.department else "—")
        for e in Employee.objects.select_related("department")
    }
    people: dict[int, KpiRow] = {}
    units: dict[str, KpiRow] = {}
    for approval in approvals:
        person = people.setdefault(
            approval.approver_id,
            KpiRow(approval.approver.get_full_name() or approval.approver.username),
        )
        unit_name = departments.get(approval.approver_id, "—")
        unit = units.setdefault(unit_name, KpiRow(unit_name))
        for row in (person, unit):
            if approval.decided_at is None:
                row.open_overdue += 1
                continue
            if approval.on_time:
                row.on_time += 1
            else:
                row.late += 1
            if approval.started_at:
                row.hours.append((approval.decided_at - approval.started_at).total_seconds() / 3600)
    order = lambda row: (-row.total, row.label)  # noqa: E731
    return sorted(people.values(), key=order), sorted(units.values(), key=order)


# --- storage hooks -------------------------------------------------------------------------------


def visible_contract_ids(user, ids: list[int]) -> set[int]:
    return set(contracts_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def user_may_download(user, stored_file) -> bool:
    """A file attached to a contract the user may see."""
    from contracts.models import ContractFile

    contract_ids = list(
        ContractFile.objects.filter(stored_file=stored_file).values_list("contract_id", flat=True)
    )
    return bool(contract_ids) and bool(visible_contract_ids(user, contract_ids))
