"""The search page's query and filters (GET)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from argo_docs.widgets import FastSelectsMixin, NamedChoiceField
from search import providers
from search.query import Filters


class SearchForm(FastSelectsMixin, forms.Form):
    q = forms.CharField(label=_("Что искать"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Вид"), required=False)
    date_from = forms.DateField(
        label=_("С даты"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("По дату"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    counterparty = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    legal_entity = NamedChoiceField(
        label=_("Юрлицо"),
        queryset=None,
        required=False,
        empty_label=_("Все"),
        label_field="short_name",
    )
    status = forms.ChoiceField(label=_("Состояние"), required=False)

    def __init__(self, *args, **kwargs):
        from workflow.models import LegalEntity

        super().__init__(*args, **kwargs)
        items = providers.all_providers()
        self.fields["kind"].choices = [("", _("Все")), *((p.kind, p.label) for p in items)]
        statuses: list = [("", _("Любое"))]
        for item in items:
            choices = list(getattr(item, "status_choices", ()))
            if choices:
                statuses.append((item.label, [(f"{item.kind}:{v}", lbl) for v, lbl in choices]))
        self.fields["status"].choices = statuses
        self.fields["legal_entity"].queryset = LegalEntity.objects.order_by("name")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("Дата «по» раньше даты «с»: поменяйте их местами."))
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        kind = data.get("kind") or ""
        status = data.get("status") or ""
        if status:
            status_kind, status = status.split(":", 1)
            kind = kind or status_kind
            if kind != status_kind:
                status = ""
        entity = data.get("legal_entity")
        return Filters(
            kinds=[kind] if kind else [],
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            counterparty_id=data.get("counterparty"),
            legal_entity_id=entity.pk if entity else None,
            status=status,
        )
