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


def _card(letter, number: str, badge: str, details: str) -> str:
    """One card of the phone's list; ``number``, ``badge`` and ``details`` are escaped HTML."""
    overdue = " list-group-item-danger" if letter.is_overdue else ""
    return (
        f'<a href="{escape(letter.get_absolute_url())}" class="list-group-item'
        f' list-group-item-action{overdue}">'
        '<div class="d-flex flex-wrap justify-content-between gap-1">'
        f"<strong>{number}</strong>{badge}</div>"
        f'<div class="text-break">{cut(letter.subject, 120)}</div>'
        f'<div class="small text-secondary">{details}</div></a>'
    )


def _row(letter, number: str, day, counterparty: str, responsible, control: str, badge: str):
    """One row of the table; ``number``, ``counterparty``, ``control`` and ``badge`` are escaped
    HTML, ``day`` the date under the number, ``responsible`` a user."""
    return (
        f"<tr{ROW_OVERDUE if letter.is_overdue else ROW}>"
        f'<td class="text-nowrap"><a href="{escape(letter.get_absolute_url())}">{number}</a>'
        f'<div class="small text-secondary">{date(day)}</div></td>'
        f"<td>{counterparty}</td>"
        f"<td>{cut(letter.subject, 90)}</td>"
        f'<td class="small">{escape(letter.legal_entity)}</td>'
        f'<td class="small">{person(responsible)}</td>'
        f'<td class="text-nowrap small">{control}</td>'
        f"<td>{badge}</td></tr>"
    )


def incoming_cards(letters) -> SafeString:
    """The phone's list: one card per letter."""
    term = escape(_("срок"))
    status_labels = labels(IncomingStatus)
    parts = []
    for letter in letters:
        responsible = (
            f" · {person(letter.responsible)}" if letter.responsible_id is not None else ""
        )
        details = (
            f"{escape(letter.counterparty.name)} · {term} {date(letter.control_date)}{responsible}"
        )
        badge = _incoming_badge(letter.status, letter.is_overdue, status_labels)
        parts.append(_card(letter, escape(letter.reg_number), badge, details))
    return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped


def incoming_rows(letters) -> SafeString:
    """The table's rows."""
    status_labels = labels(IncomingStatus)
    categories = labels(CounterpartyCategory)
    parts = []
    for letter in letters:
        company = letter.counterparty
        category = categories.get(company.category) or escape(company.category)
        counterparty = f'{escape(company.name)}<div class="small text-secondary">{category}</div>'
        badge = _incoming_badge(letter.status, letter.is_overdue, status_labels)
        parts.append(
            _row(
                letter,
                escape(letter.reg_number),
                letter.registered_at,
                counterparty,
                letter.responsible,
                date(letter.control_date),
                badge,
            )
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
        control = f" · {term} {date(letter.control_date)}" if letter.control_date else ""
        number = (
            f" · {theirs} {escape(letter.counterparty_number)}"
            if letter.counterparty_number
            else ""
        )
        details = f"{escape(letter.counterparty.name)}{control} · {person(letter.executor)}{number}"
        badge = _outgoing_badge(letter.status, letter.is_overdue, status_labels)
        parts.append(_card(letter, _outgoing_number(letter), badge, details))
    return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped


def outgoing_rows(letters) -> SafeString:
    received, on = escape(_("вх.")), escape(_("от"))
    status_labels = labels(OutgoingStatus)
    parts = []
    for letter in letters:
        number = (
            '<div class="small text-secondary" data-testid="counterparty-number">'
            f"{received} {escape(letter.counterparty_number)} {on}"
            f" {date(letter.counterparty_date)}</div>"
            if letter.counterparty_number
            else ""
        )
        badge = _outgoing_badge(letter.status, letter.is_overdue, status_labels)
        parts.append(
            _row(
                letter,
                _outgoing_number(letter),
                letter.created_at,
                f"{escape(letter.counterparty.name)}{number}",
                letter.executor,
                date(letter.control_date) or "—",
                badge,
            )
        )
    return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped
