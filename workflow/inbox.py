"""Inbox helpers: the snooze form and the document-type filter's choices with their labels."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflow import selectors
from workflow.routes import registry


class TaskSnoozeForm(forms.Form):
    until = forms.DateField(
        label=gettext_lazy("Отложить до"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_until(self):
        day = self.cleaned_data.get("until")
        if day is None:
            return None
        if day <= timezone.localdate():
            raise forms.ValidationError(_("Отложить можно до даты после сегодняшней."))
        # back in the list at the start of that working morning
        moment = dt.datetime.combine(day, dt.time(8, 0))
        return timezone.make_aware(moment)


def _label(content_type_id: int) -> str:
    if not content_type_id:
        return _("Поручения")
    model = ContentType.objects.get_for_id(content_type_id)
    doc_type = registry.document_type_for_model(f"{model.app_label}.{model.model}")
    if doc_type is not None:
        return str(doc_type.label)
    model_class = model.model_class()
    return str(model_class._meta.verbose_name) if model_class else model.model


def inbox_type_choices(user, *, tab: str = "mine") -> list[tuple[int, str, int]]:
    """(content type id, label, open tasks) for the document-type filter of an inbox tab."""
    rows = selectors.inbox_type_choices(user, tab=tab)
    return sorted(((ct, _label(ct), n) for ct, n in rows), key=lambda row: row[1])
