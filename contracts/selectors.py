"""Reads with rules: visible contracts, the card, the kanban board and the KPI."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import rules
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import (
    Aggregate,
    BigIntegerField,
    Case,
    Count,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Value,
    When,
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
from workflow.models import RouteStep, StepStatus, Task, TaskStatus
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


class Median(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class Hours(Func):
    template = "EXTRACT(EPOCH FROM %(expressions)s) / 3600.0"
    output_field = FloatField()


def _per_person_and_per_unit(rows: QuerySet) -> tuple[list[dict], list[dict]]:
    """``rows`` (``values("person", "unit")`` with the figures) grouped by the person and,
    apart, by the unit, in one pass over the steps: GROUPING SETS, which the ORM has no word for.
    Two queries read the month's steps of every contract route twice (40-50 ms each at 10k
    contracts). A row of the unit set has no person (``person`` is never NULL in the steps)."""
    sql, params = rows.query.sql_with_params()
    head, _sep, group_by = sql.rpartition(" GROUP BY ")
    if group_by != "1, 2":  # the ORM groups by the selected columns' positions on PostgreSQL
        raise RuntimeError(f"unexpected GROUP BY for the KPI: {group_by!r}")
    with connection.cursor() as cursor:
        cursor.execute(f"{head} GROUP BY GROUPING SETS ((1), (2))", params)  # noqa: S608
        names = [column.name for column in cursor.description]
        found = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    by_person = [row for row in found if row["person"] is not None]
    by_unit = [row for row in found if row["person"] is None]
    return by_person, by_unit


def kpi(*, start: dt.date, end: dt.date) -> tuple[list[KpiRow], list[KpiRow]]:
    """Approval decisions taken in [start, end], per person who really decided (the deputy when a
    deputy did) and per their department: on time vs late against the task's deadline, and the
    median hours from receiving the task to deciding; open overdue steps count for whoever holds
    them now. Aggregated in the database: one query per table, whatever the period."""
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    decided = Q(status=StepStatus.DECIDED, decided_at__gte=since, decided_at__lt=until)
    open_overdue = Q(status=StepStatus.PENDING, task__due_at__lt=min(timezone.now(), until))
    # the same rows said twice: the first form names only the step's own columns, so the planner
    # reads the period's decisions and the pending steps of contracts by their partial indexes (a
    # bitmap OR) instead of walking every contract route's steps
    by_own_columns = decided | Q(status=StepStatus.PENDING)
    steps = (
        RouteStep.objects.filter(
            document_type=DOC_TYPE, stage__phase__in=[Phase.APPROVAL, Phase.FUND_MEMBERS]
        )
        .filter(by_own_columns)
        .filter(decided | open_overdue)
        .annotate(
            # never NULL (0: nobody), so that a NULL person marks a department's row below
            person=Coalesce(
                "decided_by", "task__assignee", Value(0), output_field=BigIntegerField()
            ),
            due=Coalesce("task__due_at", "due_at_fixed"),
        )
    )
    in_time = Q(due__isnull=True) | Q(decided_at__lte=F("due"))
    figures = {
        "on_time": Count("pk", filter=decided & in_time),
        "late": Count("pk", filter=decided & Q(decided_at__gt=F("due"))),
        "open_overdue": Count("pk", filter=open_overdue),
        "median": Median(
            Hours(F("decided_at") - F("started_at")), filter=decided & Q(started_at__isnull=False)
        ),
    }
    # the department of whoever ``person`` is, by joins (a subquery per step was most of the
    # page's time at 10k contracts). By name: the two legal entities' departments of one name
    # are one row, as people read the table
    unit = Case(
        When(decided_by__isnull=False, then=F("decided_by__employee__department__name")),
        default=F("task__assignee__employee__department__name"),
    )
    rows = steps.annotate(unit=unit).values("person", "unit").annotate(**figures).order_by()
    by_person, by_unit = _per_person_and_per_unit(rows)
    names = get_user_model().objects.in_bulk([row["person"] for row in by_person])

    def row_of(label: str, row: dict) -> KpiRow:
        median = row["median"]
        return KpiRow(
            label=label,
            on_time=row["on_time"],
            late=row["late"],
            open_overdue=row["open_overdue"],
            median_hours=round(median, 1) if median is not None else None,
        )

    people = [
        row_of(names[r["person"]].get_full_name() or names[r["person"]].username, r)
        for r in by_person
        if r["person"] in names
    ]
    units = [row_of(r["unit"] or "—", r) for r in by_unit]
    order = lambda row: (-row.total, row.label)  # noqa: E731
    return sorted(people, key=order), sorted(units, key=order)


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
