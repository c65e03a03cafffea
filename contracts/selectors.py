"""Reads with rules: visible contracts, the card, the kanban board and the KPI."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import rules
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import (
    BigIntegerField,
    Count,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from contracts import roles
from contracts.models import (
    Contract,
    FieldKind,
    Phase,
    Stage,
    StageKind,
)
from contracts.routing import DOC_TYPE
from workflow.access import accessible_ids
from workflow.models import Employee, RouteStep, StepStatus, Task, TaskStatus
from workflow.selectors import has_role, subordinate_department_ids


def contracts_visible_to(user) -> QuerySet:
    """Contracts of the user, those they take part in, their subordinates' ones (from the
    access table); all for the "all contracts" role and the general director."""
    if not user.is_authenticated:
        return Contract.objects.none()
    base = Contract.objects.all()
    if has_role(user, roles.ALL_CONTRACTS) or has_role(user, roles.GENERAL_DIRECTOR):
        return base
    departments = subordinate_department_ids(user)
    return base.filter(pk__in=accessible_ids(user, Contract, departments))


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


def contract_tasks(contract: Contract) -> QuerySet:
    return (
        Task.objects.filter(
            content_type=ContentType.objects.get_for_model(Contract), object_id=contract.pk
        )
        .select_related("assignee__employee", "original_assignee", "completed_by", "created_by")
        .order_by("-created_at", "-id")
    )


def card_tasks(user, contract: Contract) -> tuple[list, list]:
    """The viewer's own open tasks, and everyone else's, each with whether the viewer may open
    it (the task page answers 404 otherwise, so no link is shown)."""
    mine, others = [], []
    for task in contract_tasks(contract):
        if task.assignee_id == user.pk and task.status == TaskStatus.OPEN:
            mine.append(task)
        else:
            others.append((task, rules.has_perm("workflow.view_task", user, task)))
    return mine, others


def extra_values(contract: Contract) -> list[tuple[str, str]]:
    """The type's extra fields with their values for the card (in the type's order), then any
    value whose field was removed since."""
    values = contract.extra or {}
    rows = []
    definitions = list(contract.contract_type.fields.all())
    for definition in definitions:
        value = values.get(definition.label)
        if value:
            rows.append((definition.label, _extra_text(definition.kind, value)))
    known = {d.label for d in definitions}
    rows += [(label, str(value)) for label, value in values.items() if value and label not in known]
    return rows


def _extra_text(kind: str, value) -> str:
    from django.utils import formats

    try:
        if kind == FieldKind.DATE:
            return dt.date.fromisoformat(value).strftime("%d.%m.%Y")
        if kind == FieldKind.NUMBER:
            return formats.number_format(Decimal(value), use_l10n=True, force_grouping=True)
    except (ValueError, ArithmeticError):
        pass  # typed before the field got its type: shown as typed
    return str(value)


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


# --- kanban (the board itself: contracts/kanban.py) ----------------------------------------------


def _waiting_for(contract_ids: list[int]) -> dict[int, list]:
    """Whom each contract waits for: the acting people of its route's open blocking steps."""
    found: dict[int, list] = defaultdict(list)
    steps = (
        RouteStep.objects.filter(
            route__document_type=DOC_TYPE,
            route__object_id__in=contract_ids,
            status=StepStatus.PENDING,
            blocking=True,
        )
        .select_related("participant", "deputy", "route")
        .order_by("route_id", "order", "id")
    )
    for step in steps:
        found[step.route.object_id].append(step.acting)
    return found


# --- KPI -----------------------------------------------------------------------------------------


@dataclass
class KpiRow:
    label: str
    on_time: int = 0
    late: int = 0
    open_overdue: int = 0
    median_hours: float | None = None

    @property
    def total(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_percent(self) -> int:
        return round(100 * self.on_time / self.total) if self.total else 0


class Hours(Func):
    template = "EXTRACT(EPOCH FROM %(expressions)s) / 3600.0"
    output_field = FloatField()


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def kpi(*, start: dt.date, end: dt.date) -> tuple[list[KpiRow], list[KpiRow]]:
    """Approval decisions taken in [start, end], per person who really decided (the deputy when a
    deputy did) and per their department: on time vs late against the task's deadline, and the
    median hours from receiving the task to deciding; open overdue steps count for whoever holds
    them now. Counted in the database, one row per person; the departments' figures are summed
    from the people's (each person's hours come along for the departments' medians: a few hundred
    numbers a month), so the query joins no person's department on each step."""
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    decided = Q(status=StepStatus.DECIDED, decided_at__gte=since, decided_at__lt=until)
    open_overdue = Q(status=StepStatus.PENDING, task__due_at__lt=min(timezone.now(), until))
    # the step's own document type: the planner reads the period's decisions and the pending steps
    # of contracts by the steps' partial indexes (a bitmap OR of the step-only halves of this OR)
    # instead of walking every contract route's steps
    steps = (
        RouteStep.objects.filter(
            document_type=DOC_TYPE, stage__phase__in=[Phase.APPROVAL, Phase.FUND_MEMBERS]
        )
        .filter(decided | open_overdue)
        .annotate(
            person=Coalesce(
                "decided_by", "task__assignee", Value(0), output_field=BigIntegerField()
            ),
            due=Coalesce("task__due_at", "due_at_fixed"),
        )
    )
    in_time = Q(due__isnull=True) | Q(decided_at__lte=F("due"))
    rows = (
        steps.values("person")
        .annotate(
            on_time=Count("pk", filter=decided & in_time),
            late=Count("pk", filter=decided & Q(decided_at__gt=F("due"))),
            open_overdue=Count("pk", filter=open_overdue),
            hours=ArrayAgg(
                Hours(F("decided_at") - F("started_at")),
                filter=decided & Q(started_at__isnull=False),
                default=Value([]),
            ),
        )
        .order_by()
    )
    rows = list(rows)
    person_ids = [row["person"] for row in rows]
    names = get_user_model().objects.in_bulk(person_ids)
    # by name: the two legal entities' departments of one name are one row, as people read it
    unit_of = dict(
        Employee.objects.filter(user_id__in=person_ids).values_list("user_id", "department__name")
    )

    people = []
    units: dict[str, KpiRow] = {}
    unit_hours: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        user = names.get(row["person"])
        if user is not None:
            people.append(
                KpiRow(
                    label=user.get_full_name() or user.username,
                    on_time=row["on_time"],
                    late=row["late"],
                    open_overdue=row["open_overdue"],
                    median_hours=_median(row["hours"]),
                )
            )
        label = unit_of.get(row["person"]) or "—"
        unit = units.setdefault(label, KpiRow(label=label))
        unit.on_time += row["on_time"]
        unit.late += row["late"]
        unit.open_overdue += row["open_overdue"]
        unit_hours[label].extend(row["hours"])
    for label, unit in units.items():
        unit.median_hours = _median(unit_hours[label])
    order = lambda row: (-row.total, row.label)  # noqa: E731
    return sorted(people, key=order), sorted(units.values(), key=order)


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
