"""The import wizard's forms: the file, the sheet, the mapping."""

import re

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from crm.forms import managers
from crm.models import CounterpartyCategory, ImportMode, Industry, ProcessingStatus
from crm.services.import_plan import FIELDS
from workflow.pickers import PersonChoiceField

User = get_user_model()
MAX_MB = 20


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Файл"),
        help_text=_(
            "Excel (.xlsx) или CSV (UTF-8 или Windows-1251, разделитель «;», «,» или табуляция). "
            "До 20 МБ."
        ),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        name = f.name.lower()
        if not (name.endswith(".xlsx") or name.endswith(".csv")):
            raise forms.ValidationError(_("Поддерживаются только файлы .xlsx и .csv."))
        if f.size > MAX_MB * 1024 * 1024:
            raise forms.ValidationError(_("Файл больше 20 МБ."))
        return f


class ImportSheetForm(forms.Form):
    sheet = forms.ChoiceField(label=_("Лист книги"))

    def __init__(self, *args, sheets: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sheet"].choices = [(s, s) for s in sheets]


# words in a column title that suggest a field, checked at the start of a word, most
# specific fields first (a «Контактный телефон» is a phone, not a contact person)
HINTS = [
    ("inn", ("инн", "inn")),
    ("kpp", ("кпп", "kpp")),
    ("phone", ("телефон", "тел", "phone", "моб")),
    ("email", ("почта", "email", "e-mail", "эл почта", "mail")),
    ("industry", ("сфера", "отрасль", "деятельност", "industry")),
    ("category", ("категор", "тип контрагента", "category")),
    ("status", ("статус", "status")),
    ("responsible", ("менеджер", "ответственн", "manager")),
    ("contact_person", ("контакт", "фио", "contact")),
    ("address", ("адрес", "address")),
    ("comment", ("комментар", "примечан", "comment")),
    ("name", ("наименование", "название", "компания", "организация", "name")),
]


def guess_mapping(columns: list[str]) -> dict[str, int]:
    words = [re.findall(r"[\w@.-]+", c.lower()) for c in columns]
    taken: set[int] = set()
    guessed: dict[str, int] = {}
    for field, hints in HINTS:
        for i, column_words in enumerate(words):
            if i in taken:
                continue
            title = " ".join(column_words)
            if any(
                w.startswith(h) or (" " in h and title.startswith(h))
                for h in hints
                for w in column_words
            ):
                guessed[field] = i
                taken.add(i)
                break
    return guessed


class ImportMappingForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Что делать с компаниями, которые уже есть в базе"),
        choices=[
            (ImportMode.CREATE, _("Пропускать (загрузить только новые)")),
            (ImportMode.UPDATE, _("Обновлять существующие (по ИНН, затем по названию)")),
        ],
        initial=ImportMode.CREATE,
        widget=forms.RadioSelect,
        help_text=_(
            "Пустые ячейки данных в карточке не стирают; статус существующих компаний импорт "
            "не меняет. Перед загрузкой вы увидите все изменения."
        ),
    )
    create_industries = forms.BooleanField(
        label=_("Создавать новые сферы деятельности"),
        required=False,
        help_text=_("Иначе строки с неизвестной сферой попадут в список ошибок."),
    )
    initial_status = forms.ChoiceField(
        label=_("Статус, если не указан"),
        choices=ProcessingStatus.choices,
        initial=ProcessingStatus.IMPORTED,
    )
    category = forms.ChoiceField(
        label=_("Категория, если не указана"),
        choices=CounterpartyCategory.choices,
        initial=CounterpartyCategory.CLIENT,
    )
    industry = forms.ModelChoiceField(
        label=_("Сфера, если не указана"), required=False, queryset=Industry.objects.all()
    )
    responsible = PersonChoiceField(
        label=_("Менеджер, если не указан"), required=False, queryset=User.objects.none()
    )

    def __init__(self, *args, columns: list[str], mapping: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = managers()
        choices = [("", _("— не загружать —"))] + [(str(i), c) for i, c in enumerate(columns)]
        initial = {k: int(v) for k, v in (mapping or {}).items()} or guess_mapping(columns)
        for field, label in FIELDS:
            self.fields[f"col_{field}"] = forms.ChoiceField(
                label=label,
                choices=choices,
                required=field == "name",
                initial="" if field not in initial else str(initial[field]),
            )
        order = [f"col_{f}" for f, _label in FIELDS]
        order += ["mode", "create_industries", "initial_status", "category", "industry"]
        self.order_fields([*order, "responsible"])

    def column_fields(self):
        return [self[f"col_{f}"] for f, _label in FIELDS]

    def clean(self):
        data = super().clean()
        used: dict[str, str] = {}
        for field, label in FIELDS:
            column = data.get(f"col_{field}")
            if column in (None, ""):
                continue
            if column in used:
                self.add_error(
                    f"col_{field}",
                    _("Эта колонка уже выбрана для поля «%(other)s».") % {"other": used[column]},
                )
            used[column] = str(label)
        return data

    def mapping(self) -> dict[str, int]:
        return {
            field: int(self.cleaned_data[f"col_{field}"])
            for field, _label in FIELDS
            if self.cleaned_data.get(f"col_{field}") not in (None, "")
        }
