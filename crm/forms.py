import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm import roles
from crm.models import (
    CommunicationKind,
    CounterpartyCategory,
    Industry,
    ProcessingStatus,
)
from workflow.forms import EmployeeChoiceField

User = get_user_model()

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def managers():
    return (
        User.objects.filter(is_active=True, employee__roles__contains=[roles.MANAGER])
        .select_related("employee")
        .order_by("last_name", "first_name")
    )


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


class CompanyFilterForm(forms.Form):
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
    responsible = EmployeeChoiceField(
        label=_("Менеджер"), required=False, queryset=User.objects.none(), empty_label=_("Все")
    )
    category = forms.ChoiceField(
        label=_("Категория"),
        required=False,
        choices=[("", _("Все категории"))] + CounterpartyCategory.choices,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = managers()


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Файл"),
        help_text=_("Excel (.xlsx) или CSV (UTF-8 или Windows-1251, разделитель «;» или «,»)."),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        name = f.name.lower()
        if not (name.endswith(".xlsx") or name.endswith(".csv")):
            raise forms.ValidationError(_("Поддерживаются только файлы .xlsx и .csv."))
        if f.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("Файл больше 20 МБ."))
        return f


IMPORT_FIELDS = [
    ("name", _("Наименование")),
    ("inn", _("ИНН")),
    ("kpp", _("КПП")),
    ("phone", _("Телефон")),
    ("email", _("Эл. почта")),
    ("address", _("Адрес")),
    ("contact_person", _("Контактное лицо")),
]


class ImportMappingForm(forms.Form):
    initial_status = forms.ChoiceField(
        label=_("Начальный статус"),
        choices=ProcessingStatus.choices,
        initial=ProcessingStatus.IMPORTED,
    )
    category = forms.ChoiceField(
        label=_("Категория"),
        choices=CounterpartyCategory.choices,
        initial=CounterpartyCategory.CLIENT,
    )
    industry = forms.ModelChoiceField(
        label=_("Сфера деятельности"), required=False, queryset=Industry.objects.all()
    )
    responsible = EmployeeChoiceField(
        label=_("Ответственный менеджер"), required=False, queryset=User.objects.none()
    )

    def __init__(self, *args, columns: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = managers()
        choices = [("", _("— не загружать —"))] + [(str(i), c) for i, c in enumerate(columns)]
        for field, label in IMPORT_FIELDS:
            guess = _guess(field, columns)
            self.fields[f"col_{field}"] = forms.ChoiceField(
                label=label,
                choices=choices,
                required=field == "name",
                initial="" if guess is None else str(guess),
            )
        # mapping first, then the values for every row
        order = [f"col_{f}" for f, _label in IMPORT_FIELDS]
        order += ["initial_status", "category", "industry", "responsible"]
        self.order_fields(order)

    def mapping(self) -> dict[str, int]:
        return {
            field: int(self.cleaned_data[f"col_{field}"])
            for field, _label in IMPORT_FIELDS
            if self.cleaned_data.get(f"col_{field}") not in (None, "")
        }


HINTS = {
    "name": ("наименование", "название", "компания", "организация", "name"),
    "inn": ("инн", "inn"),
    "kpp": ("кпп", "kpp"),
    "phone": ("телефон", "тел", "phone"),
    "email": ("почта", "email", "e-mail"),
    "address": ("адрес", "address"),
    "contact_person": ("контакт", "фио", "contact"),
}


def _guess(field: str, columns: list[str]) -> int | None:
    for i, column in enumerate(columns):
        low = column.lower()
        if any(h in low for h in HINTS[field]):
            return i
    return None
