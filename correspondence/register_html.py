"""The registers' rows, built in Python: a register page shows its 25 letters twice (the table and
the phone's cards), and through the template those 50 rows were a third of the page's time at
1M letters (about 8 ms of a 30 ms page; a template variable costs more than building the whole
row here). The markup is the one the templates had; ``{% incoming_rows %}`` and its siblings in
``letter_tags`` put it on the page."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from argo_docs.fast_html import cut, date, escape, labels, person
from correspondence.models import IncomingLetter, IncomingStatus, OutgoingLetter, OutgoingStatus
from crm.models import CounterpartyCategory


def _badge(colour: str, testid: str, label: str) -> str:
    return f'<span class="badge {colour}" data-testid="{testid}">{label}</span>'


def _incoming_badge(status: str, overdue: bool, status_labels: dict[str, str]) -> str:
    if status == "done":
        colour = "text-bg-success"
    elif overdue:
        colour = "text-bg-danger"
    elif status == "reply_preparing":
        colour = "text-bg-info"
    elif status == "in_work":
        colour = "text-bg-primary"
    else:
        colour = "text-bg-warning"
    return _badge(colour, "letter-status", status_labels.get(status) or escape(status))


def incoming_status(letter: IncomingLetter) -> SafeString:
    badge = _incoming_badge(letter.status, letter.is_overdue, labels(IncomingStatus))
    return mark_safe(badge)  # noqa: S308 - escaped by labels()


OUTGOING_COLOURS = {
    "closed": "text-bg-success",
    "returned": "text-bg-warning",
    "approval": "text-bg-info",
    "draft": "text-bg-secondary",
}


def _outgoing_badge(status: str, overdue: bool, status_labels: dict[str, str]) -> str:
    if status != "closed" and overdue:
        colour = "text-bg-danger"
    else:
        colour = OUTGOING_COLOURS.get(status, "text-bg-primary")
    return _badge(colour, "outgoing-status", status_labels.get(status) or escape(status))


def outgoing_status(letter: OutgoingLetter) -> SafeString:
    badge = _outgoing_badge(letter.status, letter.is_overdue, labels(OutgoingStatus))
    return mark_safe(badge)  # noqa: S308 - escaped by labels()


ROW = ' data-testid="register-row"'
ROW_OVERDUE = ' data-testid="register-row" class="table-danger"'
CARD_OVERDUE = " list-group-item-danger"


def incoming_cards(letters) -> SafeString:
    """The phone's list: one card per letter."""
    term = escape(_("срок"))
    status_labels = labels(IncomingStatus)
    parts = []
    for letter in letters:
        overdue = letter.is_overdue
        badge = _incoming_badge(letter.status, overdue, status_labels)
        responsible = (
            f" · {person(letter.responsible)}" if letter.responsible_id is not None else ""
        )
        parts.append(
            f'<a href="{escape(letter.get_absolute_url())}" class="list-group-item'
            f' list-group-item-action{CARD_OVERDUE if overdue else ""}">'
            '<div class="d-flex flex-wrap justify-content-between gap-1">'
            f"<strong>{escape(letter.reg_number)}</strong>{badge}</div>"
            f'<div class="text-break">{cut(letter.subject, 120)}</div>'
            f'<div class="small text-secondary">{escape(letter.counterparty.name)} · {term}'
            f" {date(letter.control_date)}{responsible}</div></a>"
        )
    return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped


def incoming_rows(letters) -> SafeString:
    """The table's rows."""
    status_labels = labels(IncomingStatus)
    categories = labels(CounterpartyCategory)
    parts = []
    for letter in letters:
        overdue = letter.is_overdue
        counterparty = letter.counterparty
        parts.append(
            f"<tr{ROW_OVERDUE if overdue else ROW}>"
            f'<td class="text-nowrap"><a href="{escape(letter.get_absolute_url())}">'
            f"{escape(letter.reg_number)}</a>"
            f'<div class="small text-secondary">{date(letter.registered_at)}</div></td>'
            f"<td>{escape(counterparty.name)}"
            f'<div class="small text-secondary">'
            f"{categories.get(counterparty.category) or escape(counterparty.category)}</div></td>"
            f"<td>{cut(letter.subject, 90)}</td>"
            f'<td class="small">{escape(letter.legal_entity)}</td>'
            f'<td class="small">{person(letter.responsible)}</td>'
            f'<td class="text-nowrap small">{date(letter.control_date)}</td>'
            f"<td>{_incoming_badge(letter.status, overdue, status_labels)}</td></tr>"
        )
    return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped


def _outgoing_number(letter: OutgoingLetter) -> str:
    return escape(letter.reg_number or _("черновик"))


def outgoing_cards(letters) -> SafeString:
    term = escape(_("срок"))
    theirs = escape(_("вх. у контрагента"))
    status_labels = labels(OutgoingStatus)
    parts = []
    for letter in letters:
        overdue = letter.is_overdue
        control = f" · {term} {date(letter.control_date)}" if letter.control_date else ""
        number = (
            f" · {theirs} {escape(letter.counterparty_number)}"
            if letter.counterparty_number
            else ""
        )
        parts.append(
            f'<a href="{escape(letter.get_absolute_url())}" class="list-group-item'
            f' list-group-item-action{CARD_OVERDUE if overdue else ""}">'
            '<div class="d-flex flex-wrap justify-content-between gap-1">'
            f"<strong>{_outgoing_number(letter)}</strong>"
            f"{_outgoing_badge(letter.status, overdue, status_labels)}</div>"
            f'<div class="text-break">{cut(letter.subject, 120)}</div>'
            f'<div class="small text-secondary">{escape(letter.counterparty.name)}{control}'
            f" · {person(letter.executor)}{number}</div></a>"
        )
    return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped


def outgoing_rows(letters) -> SafeString:
    received, on = escape(_("вх.")), escape(_("от"))
    status_labels = labels(OutgoingStatus)
    parts = []
    for letter in letters:
        overdue = letter.is_overdue
        number = (
            '<div class="small text-secondary" data-testid="counterparty-number">'
            f"{received} {escape(letter.counterparty_number)} {on}"
            f" {date(letter.counterparty_date)}</div>"
            if letter.counterparty_number
            else ""
        )
        parts.append(
            f"<tr{ROW_OVERDUE if overdue else ROW}>"
            f'<td class="text-nowrap"><a href="{escape(letter.get_absolute_url())}">'
            f"{_outgoing_number(letter)}</a>"
            f'<div class="small text-secondary">{date(letter.created_at)}</div></td>'
            f"<td>{escape(letter.counterparty.name)}{number}</td>"
            f"<td>{cut(letter.subject, 90)}</td>"
            f'<td class="small">{escape(letter.legal_entity)}</td>'
            f'<td class="small">{person(letter.executor)}</td>'
            f'<td class="text-nowrap small">{date(letter.control_date) or "—"}</td>'
            f"<td>{_outgoing_badge(letter.status, overdue, status_labels)}</td></tr>"
        )
    return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped
