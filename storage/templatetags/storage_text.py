"""``{% file_text_state stored_file %}``: the file's recognition state beside its name."""

from django import template
from django.core.exceptions import ObjectDoesNotExist

from storage.text_models import TextState

register = template.Library()


@register.inclusion_tag("storage/_file_text_state.html")
def file_text_state(stored_file):
    try:
        row = stored_file.text_state
    except ObjectDoesNotExist:
        row = None
    state = row.state if row is not None else TextState.PENDING
    return {
        "state": state,
        "label": TextState(state).label,
        "error": row.error if row is not None and state == TextState.FAILED else "",
        "retrying": row is not None and state == TextState.PENDING and bool(row.error),
    }
