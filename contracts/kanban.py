"""The contracts board: one column per stage (of one type, or of every type at once), the newest
cards of each column, the totals counted in SQL, and one column opened alone page by page when it
holds more than the board shows. Every read runs a constant number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, Value, When, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from contracts.models import STATUS_STAGE, Contract, ContractType, Stage, StageKind
from contracts.selectors import _waiting_for, contracts_visible_to
from workflow.models import Task, TaskStatus

KANBAN_CARDS_PER_COLUMN = 50
STAGE_ORDER = list(StageKind.values)


@dataclass
class Column:
    kind: str
    name: str
    cards: list = field(default_factory=list)
    total: int = 0
    more_url: str = ""

    @property
    def hidden(self) -> int:
        return max(self.total - len(self.cards), 0)


@dataclass
class Board:
    columns: list[Column]
    page: object | None = None  # one column opened alone: its page of cards


def _columns(contract_type: ContractType | None) -> list[Column]:
    """The type's stages in their order; for every type at once, each kind of stage any active
    type has, in the process order, under the kind's own name."""
    if contract_type is not None:
        stages = Stage.objects.filter(contract_type=contract_type).order_by("order", "id")
        seen: dict[str, Column] = {}
        for stage in stages:
            seen.setdefault(stage.kind, Column(stage.kind, stage.name))
        return list(seen.values())
    kinds = set(Stage.objects.filter(contract_type__is_active=True).values_list("kind", flat=True))
    return [Column(kind, StageKind(kind).label) for kind in STAGE_ORDER if kind in kinds]


def _column_of_status(columns: list[Column]) -> dict[str, str]:
    """Status -> column kind; a state the board has no stage for shows on the approval column
    (or the first one)."""
    kinds = {c.kind for c in columns}
    fallback = StageKind.APPROVAL if StageKind.APPROVAL in kinds else columns[0].kind
    return {status: (kind if kind in kinds else fallback) for status, kind in STATUS_STAGE.items()}


def _search(qs, query: str):
    """Every word must be found in the name (it holds the number and the counterparty), the
    subject or the counterparty's name."""
    for word in query.split():
        qs = qs.filter(
            Q(name__icontains=word)
            | Q(subject__icontains=word)
            | Q(counterparty__name__icontains=word)
        )
    return qs


def board(
    user,
    *,
    contract_type: ContractType | None = None,
    fund=None,
    initiator=None,
    overdue: bool = False,
    query: str = "",
    column: str = "",
    page: int | str = 1,
) -> Board:
    columns = _columns(contract_type)
    if not columns:
        return Board(columns=[])
    stage_of = _column_of_status(columns)
    overdue_tasks = Task.objects.filter(
        content_type=ContentType.objects.get_for_model(Contract),
        object_id=OuterRef("pk"),
        status=TaskStatus.OPEN,
        due_at__lt=timezone.now(),
    )
    qs = (
        contracts_visible_to(user)
        .select_related("contract_type", "counterparty", "fund", "initiator")
        .annotate(
            is_overdue=Exists(overdue_tasks),
            column=Case(
                *[When(status=status, then=Value(kind)) for status, kind in stage_of.items()],
                output_field=CharField(),
            ),
        )
    )
    if contract_type is not None:
        qs = qs.filter(contract_type=contract_type)
    if fund is not None:
        qs = qs.filter(fund=fund)
    if initiator is not None:
        qs = qs.filter(initiator=initiator)
    if overdue:
        qs = qs.filter(is_overdue=True)
    qs = _search(qs, query)
    by_kind = {c.kind: c for c in columns}
    for row in qs.order_by().values("column").annotate(n=Count("pk")):
        if row["column"] in by_kind:
            by_kind[row["column"]].total = row["n"]
    ordering = [F("stage_changed_at").desc(nulls_last=True), F("pk").desc()]
    if column in by_kind:  # one column alone, page by page
        chosen = by_kind[column]
        cards_page = Paginator(
            qs.filter(column=column).order_by(*ordering), KANBAN_CARDS_PER_COLUMN
        ).get_page(page)
        chosen.cards = list(cards_page.object_list)
        _waiting_attach(chosen.cards)
        return Board(columns=[chosen], page=cards_page)
    newest = qs.annotate(
        rank=Window(RowNumber(), partition_by=[F("column")], order_by=ordering)
    ).filter(rank__lte=KANBAN_CARDS_PER_COLUMN)
    cards = list(newest.order_by(*ordering))
    _waiting_attach(cards)
    for contract in cards:
        by_kind[contract.column].cards.append(contract)
    return Board(columns=columns)


def _waiting_attach(cards: list) -> None:
    waiting = _waiting_for([c.pk for c in cards])
    for contract in cards:
        contract.waiting_for = waiting.get(contract.pk, [])


def links_attach(board: Board, params) -> str:
    """Each column's «и ещё N» link keeps the board's filters and names the column; returns the
    filters alone (the way back to the whole board)."""
    filters = params.copy()
    for key in ("column", "page"):
        filters.pop(key, None)
    base = filters.urlencode()
    for column in board.columns:
        column.more_url = "?" + "&".join(part for part in (base, f"column={column.kind}") if part)
    return base
