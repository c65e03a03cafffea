import datetime as dt
import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from argo_docs.widgets import FastSelectsMixin
from crm import roles
from crm.models import (
    CommunicationKind,
    ContactPerson,
    Counterparty,
    CounterpartyCategory,
    Industry,
    ProcessingStatus,
)
from crm.selectors import SORTS
from workflow.pickers import PersonChoiceField, people

User = get_user_model()

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def managers():
    return people().filter(employee__roles__contains=[roles.MANAGER])


class PipelineAnswerForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Ответ"),
        widget=forms.RadioSelect,
        choices=[
            ("call", _("Запланировать следующий звонок")),
            ("step", _("Записать дату встречи / следующего этапа")),
            ("refuse", _("Отказ")),
        ],
    )
    when = forms.DateTimeField(
        label=_("Дата и время"),
        required=False,
        widget=DATETIME_WIDGET,
        help_text=_("Для звонка и для встречи/этапа."),
    )
    comment = forms.CharField(
        label=_("Комментарий"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        when = data.get("when")
        if data.get("outcome") in ("call", "step"):
            if when is None:
                self.add_error("when", _("Укажите дату и время."))
            elif when <= timezone.now():
                self.add_error("when", _("Дата должна быть в будущем."))
        return data


class ContactTaskForm(forms.Form):
    summary = forms.CharField(
        label=_("Итог разговора"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class CallListTaskForm(forms.Form):
    comment = forms.CharField(
        label=_("Комментарий"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CallResultForm(forms.Form):
    result = forms.CharField(label=_("Результат звонка"), max_length=500)


class CommunicationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Вид"), choices=CommunicationKind.choices)
    occurred_at = forms.DateTimeField(
        label=_("Когда"), required=False, widget=DATETIME_WIDGET, help_text=_("Пусто — сейчас.")
    )
    summary = forms.CharField(
        label=_("Содержание"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_occurred_at(self) -> dt.datetime | None:
        value = self.cleaned_data.get("occurred_at")
        if value and value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError(_("Коммуникация не может быть в будущем."))
        return value


class CompanyFilterForm(FastSelectsMixin, forms.Form):
    q = forms.CharField(label=_("Поиск"), required=False)
    status = forms.ChoiceField(
        label=_("Статус"),
        required=False,
        choices=[("", _("Все статусы"))] + ProcessingStatus.choices,
    )
    industry = forms.ModelChoiceField(
        label=_("Сфера"),
        required=False,
        queryset=Industry.objects.all(),
        empty_label=_("Все сферы"),
    )
    responsible = PersonChoiceField(
        label=_("Менеджер"), required=False, queryset=User.objects.none(), empty_label=_("Все")
    )
    category = forms.ChoiceField(
        label=_("Категория"),
        required=False,
        choices=[("", _("Все категории"))] + CounterpartyCategory.choices,
    )
    sort = forms.ChoiceField(
        required=False, choices=[(k, k) for k in SORTS], widget=forms.HiddenInput
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = managers()
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("Название, ИНН, телефон, почта"), "type": "search"}
        )


def _lines(value: str) -> list[str]:
    """A textarea of several values: one per line, or separated by commas or semicolons."""
    return [v.strip() for v in re.split(r"[\n,;]+", value or "") if v.strip()]


class CompanyEditForm(forms.ModelForm):
    """The card's fields. ``version`` travels with the form: saving over someone else's newer
    edit is refused (see ``counterparty_update``)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    new_industry = forms.CharField(
        label=_("или новая сфера"),
        required=False,
        max_length=100,
        help_text=_("Если нужной сферы нет в списке, впишите её: она будет создана."),
    )
    responsible = PersonChoiceField(
        label=_("Ответственный менеджер"), required=False, queryset=User.objects.none()
    )

    class Meta:
        model = Counterparty
        fields = [
            "name",
            "category",
            "inn",
            "kpp",
            "industry",
            "responsible",
            "phone",
            "email",
            "address",
            "comment",
        ]
        widgets = {"comment": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, can_assign: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        if can_assign:
            self.fields["responsible"].queryset = managers()
        else:
            del self.fields["responsible"]
        self.order_fields(["name", "category", "inn", "kpp", "industry", "new_industry"])

    def _post_clean(self) -> None:
        # the service validates and saves; the model's own checks (unique INN/KPP) run there
        pass

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("version", "new_industry")}


class ContactPersonForm(forms.ModelForm):
    phones = forms.CharField(
        label=_("Телефоны"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Каждый с новой строки или через запятую."),
    )
    emails = forms.CharField(
        label=_("Эл. почта"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Каждый адрес с новой строки или через запятую."),
    )

    class Meta:
        model = ContactPerson
        fields = ["name", "position", "phones", "emails", "comment"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["phones"] = "\n".join(self.instance.phones)
            self.initial["emails"] = "\n".join(self.instance.emails)

    def clean_phones(self) -> list[str]:
        phones = _lines(self.cleaned_data.get("phones", ""))
        if any(len(p) > 50 for p in phones):
            raise forms.ValidationError(_("Номер телефона длиннее 50 символов."))
        return phones

    def clean_emails(self) -> list[str]:
        emails = _lines(self.cleaned_data.get("emails", ""))
        for email in emails:
            try:
                validate_email(email)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("Проверьте адрес эл. почты: «%(v)s».") % {"v": email}
                ) from None
        return emails

    def _post_clean(self) -> None:
        pass  # the service saves
