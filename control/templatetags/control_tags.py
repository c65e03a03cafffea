"""The dashboard's long tables built in Python: the whole organisation's table of people has
some two hundred rows of three linked numbers, and the on-time table as many again. Template
nodes (or format_html) per cell cost more than the rest of the page, so the rows are joined as
plain strings: names go through ``escape``, and everything else is an integer or the list's
URL and query, escaped once per row."""

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from workflow.templatetags.workflow_tags import display_name

register = template.Library()

ZERO = '<span class="text-secondary">0</span>'


def _list_url(context) -> str:
    cache = context.render_context
    if "control_list_url" not in cache:
        cache["control_list_url"] = escape(reverse("control:document-list"))
    return cache["control_list_url"]


def _link(url: str, value: int, state: str, extra: str) -> str:
    """``url`` and ``extra`` already escaped; ``value`` an integer."""
    if not value:
        return ZERO
    return f'<a href="{url}?state={state}{extra}" data-testid="count-{state}">{int(value)}</a>'


def _cells(url: str, counts, query: str) -> str:
    extra = escape(query)
    return "".join(
        f'<td class="text-end">{_link(url, value, state, extra)}</td>'
        for state, value in (
            ("open", counts.open),
            ("overdue", counts.overdue),
            ("week", counts.week),
        )
    )


@register.simple_tag(takes_context=True)
def count_link(context, value, state: str, extra: str = ""):
    """One number as a link to the list of its documents (0 is not a link)."""
    return mark_safe(_link(_list_url(context), value, escape(state), escape(extra)))


@register.simple_tag(takes_context=True)
def people_rows(context, departments):
    """The rows of the table by department → person."""
    url = _list_url(context)
    rows = []
    for department in departments:
        name = department.department.name if department.department else _("Без подразделения")
        rows.append(
            '<tr class="table-light fw-semibold" data-testid="department-row">'
            f"<td>{escape(name)}</td>{_cells(url, department.counts, department.query)}</tr>"
        )
        rows.extend(
            f'<tr data-testid="person-row"><td class="ps-3">{escape(display_name(person.user))}'
            f"</td>{_cells(url, person.counts, person.query)}</tr>"
            for person in department.people
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - names escaped, the rest integers


@register.simple_tag
def on_time_rows(rows):
    """The rows of the table of decisions on time against late."""
    return mark_safe(  # noqa: S308 - texts escaped, the rest integers
        "\n".join(
            f'<tr data-testid="on-time-row"><td>{escape(r.label)}</td>'
            f"<td>{escape(display_name(r.user))}</td>"
            f'<td class="text-end">{int(r.on_time)}</td><td class="text-end">{int(r.late)}</td>'
            f'<td class="text-end">{int(r.share)}</td></tr>'
            for r in rows
        )
    )
