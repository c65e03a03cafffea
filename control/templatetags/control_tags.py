"""A dashboard number as a link to its documents: a tag, not an include, as the whole
organisation's table has some seven hundred of them (and the list's URL is resolved once)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

ZERO = mark_safe('<span class="text-secondary">0</span>')


@register.simple_tag(takes_context=True)
def count_link(context, value, state: str, extra: str = ""):
    if not value:
        return ZERO
    cache = context.render_context
    if "control_list_url" not in cache:
        cache["control_list_url"] = reverse("control:document-list")
    return format_html(
        '<a href="{}?state={}{}" data-testid="count-{}">{}</a>',
        cache["control_list_url"],
        state,
        extra,
        state,
        value,
    )
