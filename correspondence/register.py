"""The incoming register («Журнал входящих»): filters, sort columns, thread listing."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from argo_docs.ordering import ordered, workflow_rank
from argo_docs.paging import capped_page
from correspondence import selectors
from correspondence.models import OPEN_STATUSES, IncomingStatus
from crm.models import Counterparty
from crm.models.companies import name_key

# the order a letter moves through its states (sorting by status follows it)
INCOMING_FLOW = [
    IncomingStatus.REGISTERED,
    IncomingStatus.IN_REVIEW,
    IncomingStatus.ASSIGNING,
    IncomingStatus.IN_WORK,
    IncomingStatus.REPLY_PREPARING,
    IncomingStatus.DONE,
]

# (sort key, label, order_by fields)
COLUMNS = [
    ("registered", _("Рег. номер и дата"), ("registered_at", "id")),
    ("counterparty", _("Контрагент"), ("counterparty__name", "id")),
    ("subject", _("Тема"), ("subject", "id")),
    ("entity", _("Юрлицо"), ("legal_entity__short_name", "id")),
    ("responsible", _("Исполнитель"), ("responsible__last_name", "id")),
    ("control", _("Срок"), ("control_date", "id")),
    ("status", _("Состояние"), (workflow_rank("status", INCOMING_FLOW), "id")),
]
_SORTS = {key: fields for key, _label, fields in COLUMNS}


def valid_filters(form) -> dict:
    """The filters the form could read: a field that failed (a date typed wrongly) is left
    out and reported by ``filter_context``, the other filters still apply."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return dict(form.cleaned_data)


def filter_context(form) -> dict:
    """The register's filter messages in Russian and the chosen counterparty of the picker."""
    errors = []
    if form.is_bound:
        for name, field_errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else name
            errors.append(
                _("Фильтр «%(label)s» не применён: %(error)s")
                % {"label": label, "error": " ".join(field_errors)}
            )
    chosen = form.cleaned_data.get("counterparty") if form.is_bound else None
    return {"filter_errors": errors, "chosen_counterparty": chosen}


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
    if data.get("counterparty"):
        letters = letters.filter(counterparty=data["counterparty"])
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
            | counterparty_named(query)
        )
    return letters


NAMED_COUNTERPARTIES = 500


def counterparty_named(query: str) -> Q:
    """Letters of the counterparties whose name holds ``query``, by id: a list of ids keeps every
    branch of the search's OR on an index of the letter table (no join to scan)."""
    key = name_key(query)
    if not key:
        return Q(pk__in=[])
    ids = list(
        Counterparty.objects.filter(name_key__contains=key).values_list("pk", flat=True)[
            :NAMED_COUNTERPARTIES
        ]
    )
    return Q(counterparty_id__in=ids) if ids else Q(pk__in=[])


def sort_by(
    letters: QuerySet, sort: str, sorts: dict, default: str, *, searching: bool = False
) -> QuerySet:
    """Order a register by a column key (``-key`` descending); an unknown key means the default
    column, newest first. ``searching``: a text search filters it (see ``ordered``)."""
    key = sort.lstrip("-")
    descending = sort.startswith("-") or key not in sorts
    fields = sorts.get(key, sorts[default])
    return letters.order_by(*ordered(fields, descending, unindexed=searching))


def searching(form) -> bool:
    """A text search filters the register (``q``)."""
    return bool(" ".join((valid_filters(form).get("q") or "").split()))


def sparse_order(form, letters: QuerySet, sort: str, apply_sort):
    """With a text search: the same rows in an order no index serves, for the paginator to use
    when the matches are few (``argo_docs.paging``); None without one."""
    if not searching(form):
        return None
    return apply_sort(letters, sort, searching=True)


def apply_sort(letters: QuerySet, sort: str, *, searching: bool = False) -> QuerySet:
    return sort_by(letters, sort, _SORTS, "registered", searching=searching)


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


def count_floor(user, model, form):
    """The register's count floor when no filter applies (only the visibility rule does)."""
    if any(valid_filters(form).values()):
        return None
    return selectors.unfiltered_count_floor(user, model)


def page_context(request, letters, *, floor=None, sparse=None, exact=None) -> dict:
    """Pagination of a register (incoming or outgoing), counted and paged no further than the
    cap (``argo_docs.paging``; ``floor`` from ``count_floor``; ``exact`` from
    ``selectors.register_rows_rule``): page size from ?per_page, the
    current query string without the page (for page links) and without the sort (for column
    headers)."""
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
        "page": capped_page(
            letters, per_page, request.GET.get("page"), floor=floor, sparse=sparse, exact=exact
        ),
        "query": query.urlencode(),
        "sort_query": sort_query.urlencode(),
        "per_page": per_page,
        "page_sizes": PAGE_SIZES,
    }
