"""The outgoing register («Журнал исходящих»): filters, sort columns, Excel export."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from argo_docs.ordering import workflow_rank
from argo_docs.spreadsheets import xlsx_response
from correspondence import selectors
from correspondence.models import OutgoingStatus
from correspondence.register import counterparty_named, sort_by

EXPORT_LIMIT = 20000

# (sort key, label, order_by fields)
COLUMNS = [
    ("created", gettext_lazy("Номер и дата"), ("created_at", "id")),
    ("counterparty", gettext_lazy("Получатель"), ("counterparty__name", "id")),
    ("subject", gettext_lazy("Тема"), ("subject", "id")),
    ("entity", gettext_lazy("Отправитель"), ("legal_entity__short_name", "id")),
    ("executor", gettext_lazy("Исполнитель"), ("executor__last_name", "id")),
    ("control", gettext_lazy("Срок"), ("control_date", "id")),
    # workflow order: the choices are declared in it (a return sits beside approval)
    ("status", gettext_lazy("Состояние"), (workflow_rank("status", OutgoingStatus.values), "id")),
]
_SORTS = {key: fields for key, _label, fields in COLUMNS}


def register_queryset(user) -> QuerySet:
    """Visibility from the letters' tokens, as in the incoming register
    (``selectors.register_queryset``)."""
    return selectors.outgoing_visible_to(user, by_tokens=True).select_related(
        "legal_entity", "counterparty", "executor", "author", "journal"
    )


def apply_filters(letters: QuerySet, data: dict) -> QuerySet:
    if data.get("legal_entity"):
        letters = letters.filter(legal_entity=data["legal_entity"])
    if data.get("status"):
        letters = letters.filter(status=data["status"])
    if data.get("executor"):
        letters = letters.filter(executor=data["executor"])
    if data.get("counterparty"):
        letters = letters.filter(counterparty=data["counterparty"])
    if data.get("project"):
        letters = letters.filter(project=data["project"])
    if data.get("overdue"):
        letters = letters.exclude(status=OutgoingStatus.CLOSED).filter(
            control_date__lt=timezone.localdate()
        )
    if data.get("date_from"):
        letters = letters.filter(created_at__date__gte=data["date_from"])
    if data.get("date_to"):
        letters = letters.filter(created_at__date__lte=data["date_to"])
    query = " ".join((data.get("q") or "").split())
    if query:
        letters = letters.filter(
            Q(subject__icontains=query)
            | Q(reg_number__icontains=query)
            | Q(counterparty_number__icontains=query)
            | counterparty_named(query)
        )
    return letters


def apply_sort(letters: QuerySet, sort: str, *, searching: bool = False) -> QuerySet:
    return sort_by(letters, sort, _SORTS, "created", searching=searching)


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def register_xlsx_response(letters) -> HttpResponse:
    header = [
        _("Рег. номер"),
        _("Создано"),
        _("Отправитель"),
        _("Получатель"),
        _("Тема"),
        _("Дата документа"),
        _("Контрольный срок"),
        _("Исполнитель"),
        _("Состояние"),
        _("Способ отправки"),
        _("Дата отправки"),
        _("Вх. номер у контрагента"),
        _("Дата у контрагента"),
        _("Просрочено"),
    ]
    rows = (
        [
            letter.reg_number,
            letter.created_at,
            str(letter.legal_entity),
            letter.counterparty.name,
            letter.subject,
            letter.document_date,
            letter.control_date,
            _name(letter.executor),
            letter.get_status_display(),
            letter.get_delivery_method_display(),
            letter.sent_on,
            letter.counterparty_number,
            letter.counterparty_date,
            _("да") if letter.is_overdue else "",
        ]
        for letter in letters[:EXPORT_LIMIT]
    )
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    return xlsx_response(
        filename=f"outgoing-{stamp}.xlsx", title=_("Журнал исходящих"), header=header, rows=rows
    )
