"""The incoming register («Журнал входящих»): filters, sort columns, thread listing."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from correspondence import selectors
from correspondence.models import OPEN_STATUSES

# (sort key, label, order_by fields)
COLUMNS = [
    ("registered", _("Рег. номер и дата"), ("registered_at", "id")),
    ("counterparty", _("Контрагент"), ("counterparty__name", "id")),
    ("subject", _("Тема"), ("subject", "id")),
    ("entity", _("Юрлицо"), ("legal_entity__short_name", "id")),
    ("responsible", _("Исполнитель"), ("responsible__last_name", "id")),
    ("control", _("Срок"), ("control_date", "id")),
    ("status", _("Состояние"), ("status", "id")),
]
_SORTS = {key: fields for key, _label, fields in COLUMNS}


def apply_filters(letters: QuerySet, data: dict) -> QuerySet:
    if data.get("legal_entity"):
        letters = letters.filter(legal_entity=data["legal_entity"])
    if data.get("category"):
        letters = letters.filter(counterparty__category=data["category"])
    if data.get("status"):
        letters = letters.filter(status=data["status"])
    if data.get("executor"):
        letters = letters.filter(responsible=data["executor"])
    if data.get("project"):
        letters = letters.filter(project=data["project"])
    if data.get("overdue"):
        letters = letters.filter(status__in=OPEN_STATUSES, control_date__lt=timezone.localdate())
    if data.get("date_from"):
        letters = letters.filter(received_on__gte=data["date_from"])
    if data.get("date_to"):
        letters = letters.filter(received_on__lte=data["date_to"])
    query = " ".join((data.get("q") or "").split())
    if query:
        letters = letters.filter(
            Q(subject__icontains=query)
            | Q(reg_number__icontains=query)
            | Q(sender_number__icontains=query)
            | Q(counterparty__name__icontains=query)
        )
    return letters


def sort_by(letters: QuerySet, sort: str, sorts: dict, default: str) -> QuerySet:
    """Order a register by a column key (``-key`` descending); an unknown key means the default
    column, newest first."""
    key = sort.lstrip("-")
    descending = sort.startswith("-") or key not in sorts
    fields = sorts.get(key, sorts[default])
    return letters.order_by(*[f"-{f}" if descending else f for f in fields])


def apply_sort(letters: QuerySet, sort: str) -> QuerySet:
    return sort_by(letters, sort, _SORTS, "registered")


def thread_letters(thread, user, *, exclude=None) -> list:
    """Every letter of ``thread`` the user may see, incoming and outgoing, oldest first."""
    incoming = (
        selectors.incoming_visible_to(user).filter(thread=thread).select_related("counterparty")
    )
    outgoing = (
        selectors.outgoing_visible_to(user).filter(thread=thread).select_related("counterparty")
    )
    letters = []
    for letter in incoming:
        if exclude is None or not (type(exclude) is type(letter) and exclude.pk == letter.pk):
            letter.direction_label = _("Входящее")
            letter.sort_at = letter.registered_at
            letters.append(letter)
    for letter in outgoing:
        if exclude is None or not (type(exclude) is type(letter) and exclude.pk == letter.pk):
            letter.direction_label = _("Исходящее")
            letter.sort_at = letter.created_at
            letters.append(letter)
    return sorted(letters, key=lambda item: item.sort_at)


PAGE_SIZES = (25, 50, 100)


def page_context(request, letters) -> dict:
    """Pagination of a register (incoming or outgoing): page size from ?per_page, the current
    query string without the page (for page links) and without the sort (for column headers)."""
    try:
        per_page = int(request.GET.get("per_page", PAGE_SIZES[0]))
    except ValueError:
        per_page = PAGE_SIZES[0]
    if per_page not in PAGE_SIZES:
        per_page = PAGE_SIZES[0]
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    return {
        "page": Paginator(letters, per_page).get_page(request.GET.get("page")),
        "query": query.urlencode(),
        "sort_query": sort_query.urlencode(),
        "per_page": per_page,
        "page_sizes": PAGE_SIZES,
    }
