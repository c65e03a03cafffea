"""One form per decision, and the initiator's contract form (the name is never typed)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract, ContractType, Fund, SubjectCategory
from crm.models import Counterparty
from storage.forms import MultipleFileField, UploadsFormMixin
from workflow.pickers import PersonChoiceField


def _decision_form(choices, *, comment_label, return_value: str | None):
    class DecisionForm(forms.Form):
        decision = forms.ChoiceField(
            label=_("Решение"), choices=choices, widget=forms.RadioSelect, initial=choices[0][0]
        )
        comment = forms.CharField(
            label=comment_label, required=False, widget=forms.Textarea(attrs={"rows": 3})
        )

        def clean(self):
            data = super().clean()
            if (
                return_value
                and data.get("decision") == return_value
                and not (data.get("comment") or "").strip()
            ):
                self.add_error(
                    "comment", _("Укажите, что нужно доработать: без комментария вернуть нельзя.")
                )
            return data

    return DecisionForm


ApprovalDecisionForm = _decision_form(
    [("approve", _("Согласовать")), ("return", _("Вернуть на доработку"))],
    comment_label=_("Комментарий"),
    return_value="return",
)
PreparationForm = _decision_form(
    [("done", _("Договор подготовлен")), ("return", _("Вернуть на доработку"))],
    comment_label=_("Комментарий"),
    return_value="return",
)
InvoiceSignForm = _decision_form(
    [("signed", _("Счёт подписан")), ("rejected", _("Отклонить договор"))],
    comment_label=_("Комментарий"),
    return_value="rejected",
)
ContractSignForm = _decision_form(
    [("signed", _("Договор подписан")), ("rejected", _("Отклонить договор"))],
    comment_label=_("Комментарий"),
    return_value="rejected",
)


class ReviseForm(forms.Form):
    comment = forms.CharField(
        label=_("Что исправлено"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


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
        self.extra_names: list[tuple[str, str]] = []
        existing = self.instance.extra if self.instance and self.instance.pk else {}
        for index, label in enumerate(contract_type.extra_fields or []):
            name = f"extra_{index}"
            self.extra_names.append((name, str(label)))
            self.fields[name] = forms.CharField(
                label=str(label), required=False, max_length=255, initial=existing.get(label, "")
            )

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
        data["extra"] = {label: self.cleaned_data[name] for name, label in self.extra_names}
        return data


class FilesForm(UploadsFormMixin, forms.Form):
    files = MultipleFileField(label=_("Файлы"), required=True)


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Комментарий"), max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


class KanbanFilterForm(forms.Form):
    contract_type = forms.ModelChoiceField(
        label=_("Тип договора"), queryset=ContractType.objects.all(), required=False
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
