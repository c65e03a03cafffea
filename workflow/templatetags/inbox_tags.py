from django import template

from workflow.inbox_rows import render_rows

register = template.Library()


@register.simple_tag(takes_context=True)
def task_rows(context, tasks, tab):
    """``{% task_rows page.object_list tab %}``: the inbox rows (see ``workflow.inbox_rows``)."""
    return render_rows(tasks, tab=tab, csrf_token=str(context.get("csrf_token", "")))
