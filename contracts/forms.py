"""One form per decision, and the initiator's contract form (the name is never typed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from argo_docs.widgets import FastSelectsMixin
from contracts import routing
from contracts.models import Contract, ContractType, FieldKind, Fund, SubjectCategory
from crm.models import Counterparty
from storage.forms import MultipleFileField, UploadsFormMixin
from workflow.models import Decision
from workflow.pickers import PersonChoiceField
from workflow.routes.tasks import StepDecisionForm


class _StepForm(StepDecisionForm):
    """The engine's decision form with the contract's own words for preparation and signing."""

    labels: dict = {}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["decision"]
        field.choices = [(value, self.labels.get(value, label)) for value, label in field.choices]


class PreparationForm(_StepForm):
    labels = {Decision.APPROVE: _("Договор подготовлен")}


class InvoiceSignForm(_StepForm):
    labels = {Decision.SIGN: _("Счёт подписан"), Decision.REJECT: _("Отклонить договор")}


class ContractSignForm(_StepForm):
    labels = {Decision.SIGN: _("Договор подписан"), Decision.REJECT: _("Отклонить договор")}


STEP_FORMS = {
    routing.KIND_PREPARE: PreparationForm,
    routing.KIND_SIGN_INVOICE: InvoiceSignForm,
    routing.KIND_SIGN_CONTRACT: ContractSignForm,
}


def decision_message(task, data: dict) -> str:
    """What the person sees after deciding: the decision in the words of its button."""
    decision = data["decision"]
    labels = STEP_FORMS[task.kind].labels if task.kind in STEP_FORMS else {}
    words = labels.get(decision, Decision(decision).label)
    return gettext("Решение «%(decision)s» сохранено.") % {"decision": words}


def extra_field(definition, stored) -> forms.Field:
    """The form field for a type's extra field, with the stored value as its initial."""
    common = {"label": definition.label, "required": definition.required, "initial": stored}
    if definition.kind == FieldKind.DATE and stored:
        try:
            common["initial"] = dt.date.fromisoformat(stored)
        except ValueError:
            common["initial"] = None  # text typed before the field became a date
    if definition.kind == FieldKind.NUMBER:
        return forms.DecimalField(max_digits=18, decimal_places=4, **common)
    if definition.kind == FieldKind.DATE:
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **common
        )
    if definition.kind == FieldKind.CHOICE:
        options = definition.choice_list
        if stored and stored not in options:
            options = [*options, stored]  # a value chosen before the list changed stays
        return forms.ChoiceField(choices=[("", "—"), *[(o, o) for o in options]], **common)
    return forms.CharField(max_length=255, **common)


def extra_value(value) -> str:
    """Extra values are kept as text: numbers without trailing zeros, dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


class ContractForm(UploadsFormMixin, forms.ModelForm):
    """The initiator's fields. The type is chosen before (its extra fields depend on it)."""

    counterparty = forms.ModelChoiceField(
        label=_("Контрагент"),
        queryset=Counterparty.objects.order_by("name"),
        help_text=_("Из справочника CRM. Начните вводить название в поле поиска выше."),
    )

    class Meta:
        model = Contract
        fields = [
            "subject_category",
            "subject",
            "counterparty",
            "amount",
            "fund",
            "starts_on",
            "ends_on",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    files = MultipleFileField(label=_("Файлы (договор, счёт, спецификация)"), required=False)

    def __init__(self, *args, contract_type: ContractType, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.contract_type = contract_type
        if self.instance and self.instance.pk:
            # on the card files are added with their own form
            del self.fields["files"], self.fields["files_staged"]
        self.fields["subject_category"].queryset = SubjectCategory.objects.all()
        self.fields["fund"].queryset = Fund.objects.all()
        existing = self.instance.extra if self.instance and self.instance.pk else {}
        self.extra_names: list[tuple[str, object]] = []
        for definition in contract_type.fields.all():
            name = f"extra_{definition.pk}"
            self.extra_names.append((name, definition))
            self.fields[name] = extra_field(definition, existing.get(definition.label))

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("Окончание не может быть раньше начала."))
        amount = data.get("amount")
        if amount is not None and amount < 0:
            self.add_error("amount", _("Сумма не может быть отрицательной."))
        return data

    def contract_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["contract_type"] = self.contract_type
        extra = dict(self.instance.extra or {}) if self.instance and self.instance.pk else {}
        for name, definition in self.extra_names:
            extra[definition.label] = extra_value(self.cleaned_data.get(name))
        data["extra"] = extra
        return data


class FilesForm(UploadsFormMixin, forms.Form):
    files = MultipleFileField(label=_("Файлы"), required=True)


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Комментарий"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class KanbanFilterForm(FastSelectsMixin, forms.Form):
    q = forms.CharField(label=_("Поиск"), required=False, max_length=200)
    contract_type = forms.ModelChoiceField(
        label=_("Тип договора"),
        queryset=ContractType.objects.filter(is_active=True),
        required=False,
        empty_label=_("Все типы"),
    )
    fund = forms.ModelChoiceField(label=_("Фонд"), queryset=Fund.objects.all(), required=False)
    initiator = PersonChoiceField(label=_("Инициатор"), queryset=None, required=False)
    overdue = forms.BooleanField(label=_("Только просроченные"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from workflow.forms import active_employees

        self.fields["initiator"].queryset = active_employees()
        for name in ("fund", "initiator"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
            self.fields[name].empty_label = _("Все")
        self.fields["contract_type"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["q"].widget.attrs.update(
            {
                "class": "form-control form-control-sm",
                "type": "search",
                "placeholder": _("Номер, контрагент, предмет"),
            }
        )


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("С"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("По"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("Конец периода раньше начала."))
        return data
