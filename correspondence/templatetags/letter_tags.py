"""Status badges of letters, built in Python: a register shows one per row twice (the table and
the phone cards), and an include per badge was a tenth of the page's rendering."""

from django import template
from django.utils.html import format_html

from correspondence.models import IncomingStatus, OutgoingStatus

register = template.Library()


def _badge(colour: str, testid: str, label) -> str:
    return format_html('<span class="badge {}" data-testid="{}">{}</span>', colour, testid, label)


def _label(choices, value) -> str:
    """The status's label (``get_status_display`` rebuilds the whole choices dict each call)."""
    try:
        return choices(value).label
    except ValueError:
        return value


@register.simple_tag
def incoming_status(letter) -> str:
    if letter.status == "done":
        colour = "text-bg-success"
    elif letter.is_overdue:
        colour = "text-bg-danger"
    elif letter.status == "reply_preparing":
        colour = "text-bg-info"
    elif letter.status == "in_work":
        colour = "text-bg-primary"
    else:
        colour = "text-bg-warning"
    return _badge(colour, "letter-status", _label(IncomingStatus, letter.status))


@register.simple_tag
def outgoing_status(letter) -> str:
    colours = {
        "closed": "text-bg-success",
        "returned": "text-bg-warning",
        "approval": "text-bg-info",
        "draft": "text-bg-secondary",
    }
    if letter.status != "closed" and letter.is_overdue:
        colour = "text-bg-danger"
    else:
        colour = colours.get(letter.status, "text-bg-primary")
    return _badge(colour, "outgoing-status", _label(OutgoingStatus, letter.status))
