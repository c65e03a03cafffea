"""Shared test helpers."""

import datetime as dt

from django.utils import timezone

from workflow import services


def give(author, assignee, title="Подготовить справку", *, due_in_days=None, **kwargs):
    """An instruction task from ``author`` to ``assignee`` due ``due_in_days`` days from now."""
    due_at = None
    if due_in_days is not None:
        due_at = timezone.now() + dt.timedelta(days=due_in_days)
    return services.instruction_give(
        author=author, assignee=assignee, title=title, due_at=due_at, **kwargs
    )


def admin_form_data(response, **overrides) -> dict:
    """The POST data of an admin add/change page as it stands (initial values of the form and of
    every inline formset with its management form), with ``overrides`` applied: what an
    administrator submits after changing only those fields."""
    data = {}

    def take(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None:
                continue
            if isinstance(value, (list, tuple)):
                data[key] = [str(getattr(v, "pk", v)) for v in value]
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            else:
                data[key] = str(getattr(value, "pk", value))

    take(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value() or 0)
        for form in formset.initial_forms:
            take(form)
    data.update({key: value for key, value in overrides.items() if value is not None})
    for key in [key for key, value in overrides.items() if value is None]:
        data.pop(key, None)
    return data
