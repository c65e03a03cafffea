"""Forms: registration, the register filters, and one form per route decision."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from argo_docs.widgets import FastSelectsMixin, NamedChoiceField
from correspondence.models import (
    IncomingLetter,
    IncomingStatus,
    OutgoingLetter,
    Project,
)
from correspondence.registration_hints import answerable_outgoing, control_date_suggested
from correspondence.services.incoming import NO_REPLY, REPLY_NEEDED
from crm.models import Counterparty, CounterpartyCategory
from storage.forms import MultipleFileField, UploadsFormMixin
from workflow.forms import EmployeeChoiceField, active_employees
from workflow.models import Department, LegalEntity
from workflow.pickers import PersonMultipleChoiceField

User = get_user_model()

DATE_WIDGET = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
INVALID_DATE = gettext_lazy("Дата не распознана: введите её как ДД.ММ.ГГГГ, например 05.03.2026.")
FILTER_DATE = {**DATE_WIDGET, "error_messages": {"invalid": INVALID_DATE}}


class OutgoingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.reg_number} — {obj.counterparty.name}: {obj.subject}"[:150]


# --- registration --------------------------------------------------------------------------------


class IncomingRegisterForm(UploadsFormMixin, forms.Form):
    legal_entity = forms.ModelChoiceField(
        label=gettext_lazy("Адресат (наше юрлицо)"), queryset=LegalEntity.objects.all()
    )
    counterparty = forms.ModelChoiceField(
        label=gettext_lazy("Контрагент (отправитель)"),
        queryset=Counterparty.objects.all(),
        widget=forms.HiddenInput,
        error_messages={"required": gettext_lazy("Выберите контрагента или создайте нового.")},
    )
    sender_number = forms.CharField(
        label=gettext_lazy("Исходящий номер отправителя"), max_length=64, required=False
    )
    sender_date = forms.DateField(
        label=gettext_lazy("Дата письма отправителя"), required=False, **DATE_WIDGET
    )
    subject = forms.CharField(label=gettext_lazy("Тема"), max_length=500)
    summary = forms.CharField(
        label=gettext_lazy("Краткое содержание"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    received_on = forms.DateField(label=gettext_lazy("Дата получения"), **DATE_WIDGET)
    control_date = forms.DateField(label=gettext_lazy("Контрольный срок"), **DATE_WIDGET)
    responsible = EmployeeChoiceField(
        label=gettext_lazy("Ответственный исполнитель"),
        queryset=User.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "Если не указан, руководитель подразделения-адресата назначит исполнителя."
        ),
    )
    addressee_department = forms.ModelChoiceField(
        label=gettext_lazy("Подразделение-адресат"),
        queryset=Department.objects.select_related("legal_entity"),
        required=False,
        help_text=gettext_lazy("Необязательно; по умолчанию — головное подразделение юрлица."),
    )
    project = forms.ModelChoiceField(
        label=gettext_lazy("Проект"),
        queryset=Project.objects.filter(is_active=True),
        required=False,
    )
    answers_outgoing = OutgoingChoiceField(
        label=gettext_lazy("В ответ на наше исходящее"),
        queryset=OutgoingLetter.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "Только письма, отправленные выбранному контрагенту. Письмо попадёт в ту же переписку."
        ),
        widget=forms.Select(
            attrs={
                "data-searchable": "",
                "data-search-placeholder": gettext_lazy("Найти по номеру или теме"),
            }
        ),
    )
    # required in clean() (staged files count too); the asterisk says so
    files = MultipleFileField(label=gettext_lazy("Файлы (сканы)"), required=False)
    confirm_duplicate = forms.BooleanField(
        label=gettext_lazy("Да, это другое письмо — зарегистрировать"),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, uploader=user, **kwargs)
        self.user = user
        self.fields["responsible"].queryset = active_employees()
        self.duplicate: IncomingLetter | None = None
        today = timezone.localdate()
        self.fields["received_on"].initial = today
        self.fields["files"].required = self.files_required_mark  # see full_clean
        self.counterparty_bind(self.data.get("counterparty") or self.initial.get("counterparty"))

    # the label of the scans says «required» (a form whose files come from elsewhere says not)
    files_required_mark = True

    def counterparty_bind(self, counterparty_id) -> None:
        """Once the counterparty is known: only letters sent to it may be answered, and an
        unbound form proposes the control date of its category's route."""
        if not str(counterparty_id or "").isdigit():
            counterparty_id = None
        self.fields["answers_outgoing"].queryset = answerable_outgoing(counterparty_id)
        if not self.is_bound and counterparty_id:
            counterparty = Counterparty.objects.filter(pk=counterparty_id).first()
            suggestion = control_date_suggested(counterparty)
            if suggestion:
                self.initial.setdefault("control_date", suggestion.date)

    def full_clean(self):
        # the files are required, but staged files (kept from a refused form) count too: clean()
        # checks that; the field says «required» only for its label's asterisk
        self.fields["files"].required = False
        try:
            super().full_clean()
        finally:
            self.fields["files"].required = self.files_required_mark

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("files") and not self.has_error("files"):
            self.add_error("files", _("Приложите хотя бы один файл — скан письма."))
        received, control = cleaned.get("received_on"), cleaned.get("control_date")
        if received and received > timezone.localdate():
            self.add_error("received_on", _("Дата получения не может быть в будущем."))
        if received and control and control < received:
            self.add_error("control_date", _("Контрольный срок не может быть раньше получения."))
        sender_date = cleaned.get("sender_date")
        if sender_date and received and sender_date > received:
            self.add_error("sender_date", _("Письмо не может быть датировано позже получения."))
        department, entity = cleaned.get("addressee_department"), cleaned.get("legal_entity")
        if department and entity and department.legal_entity_id != entity.pk:
            self.add_error("addressee_department", _("Подразделение относится к другому юрлицу."))
        answered, counterparty = cleaned.get("answers_outgoing"), cleaned.get("counterparty")
        if answered and counterparty and answered.counterparty_id != counterparty.pk:
            self.add_error("answers_outgoing", _("Это исходящее отправлено другому контрагенту."))
        self._check_duplicate(cleaned)
        return cleaned

    def _check_duplicate(self, cleaned) -> None:
        counterparty = cleaned.get("counterparty")
        number = (cleaned.get("sender_number") or "").strip()
        date = cleaned.get("sender_date")
        if not (counterparty and number and date):
            return
        self.duplicate = (
            IncomingLetter.objects.filter(
                counterparty=counterparty, sender_number=number, sender_date=date
            )
            .order_by("pk")
            .first()
        )
        if self.duplicate and not cleaned.get("confirm_duplicate"):
            self.add_error(
                None,
                ValidationError(
                    format_html(
                        '{} <a href="{}">{}</a>. {}',
                        _("Такое письмо уже зарегистрировано:"),
                        reverse("correspondence:incoming-detail", args=[self.duplicate.pk]),
                        self.duplicate.reg_number,
                        _("Если это другое письмо, подтвердите регистрацию."),
                    ),
                    code="duplicate",
                ),
            )

    @property
    def asks_duplicate_confirmation(self) -> bool:
        return any(e.code == "duplicate" for e in self.errors.as_data().get("__all__", []))

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "legal_entity": data["legal_entity"],
            "counterparty": data["counterparty"],
            "subject": data["subject"],
            "received_on": data["received_on"],
            "control_date": data["control_date"],
            "sender_number": data["sender_number"].strip(),
            "sender_date": data["sender_date"],
            "summary": data["summary"],
            "responsible": data["responsible"],
            "addressee_department": data["addressee_department"],
            "project": data["project"],
            "answers_outgoing": data["answers_outgoing"],
            "files": self.cleaned_data["files"],  # staged StoredFiles and new uploads
        }


class CounterpartyCreateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Наименование"), max_length=255)
    category = forms.ChoiceField(
        label=gettext_lazy("Категория"), choices=CounterpartyCategory.choices
    )
    inn = forms.CharField(label=gettext_lazy("ИНН"), max_length=12, required=False)
    email = forms.EmailField(label=gettext_lazy("Эл. почта"), required=False)


class CommentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Комментарий"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )


# --- register filters ----------------------------------------------------------------------------


class RegisterFilterForm(FastSelectsMixin, forms.Form):
    q = forms.CharField(label=gettext_lazy("Поиск"), required=False)
    legal_entity = forms.ModelChoiceField(
        label=gettext_lazy("Юрлицо"), queryset=LegalEntity.objects.all(), required=False
    )
    category = forms.ChoiceField(
        label=gettext_lazy("Категория"),
        choices=[("", "---------"), *CounterpartyCategory.choices],
        required=False,
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Состояние"),
        choices=[("", "---------"), *IncomingStatus.choices],
        required=False,
    )
    executor = EmployeeChoiceField(
        label=gettext_lazy("Исполнитель"), queryset=User.objects.none(), required=False
    )
    project = NamedChoiceField(
        label=gettext_lazy("Проект"), queryset=Project.objects.all(), required=False
    )
    overdue = forms.BooleanField(label=gettext_lazy("Только просроченные"), required=False)
    date_from = forms.DateField(label=gettext_lazy("Получено с"), required=False, **FILTER_DATE)
    date_to = forms.DateField(label=gettext_lazy("по"), required=False, **FILTER_DATE)
    counterparty = forms.ModelChoiceField(
        label=gettext_lazy("Контрагент"),
        queryset=Counterparty.objects.all(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": gettext_lazy("Такого контрагента нет.")},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["executor"].queryset = active_employees()


# --- route decisions (rendered by the task page /tasks/<id>/) ------------------------------------


SUBTASK_ROWS = 3


class ResolutionForm(forms.Form):
    resolution = forms.CharField(
        label=gettext_lazy("Резолюция"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    co_executors = PersonMultipleChoiceField(
        label=gettext_lazy("Соисполнители"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(
            attrs={
                "size": 8,
                "data-searchable": "",
                "data-search-placeholder": gettext_lazy("Найти по фамилии или должности"),
            }
        ),
        help_text=gettext_lazy(
            "Каждый получит задание «Соисполнение» со сроком письма. Несколько — с Ctrl."
        ),
    )
    late_ok = forms.BooleanField(
        label=gettext_lazy("Срок подзадачи позже контрольного срока письма — так и задумано"),
        required=False,
    )
    takes_task = True

    def __init__(self, *args, task=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.letter = task.subject if task is not None and task.object_id else None
        # the one who resolves does not name himself: his own part is the resolution
        resolver = task.assignee_id if task is not None else None
        self.fields["co_executors"].queryset = active_employees().exclude(pk=resolver)
        for i in range(1, SUBTASK_ROWS + 1):
            self.fields[f"subtask{i}_title"] = forms.CharField(
                label=_("Подзадача %(n)s: что сделать") % {"n": i}, max_length=255, required=False
            )
            self.fields[f"subtask{i}_assignee"] = EmployeeChoiceField(
                label=_("Подзадача %(n)s: исполнитель") % {"n": i},
                queryset=active_employees(),
                required=False,
            )
            self.fields[f"subtask{i}_due_date"] = forms.DateField(
                label=_("Подзадача %(n)s: срок") % {"n": i}, required=False, **DATE_WIDGET
            )
        self.fields["late_ok"] = self.fields.pop("late_ok")  # below the subtasks it is about

    def clean(self):
        cleaned = super().clean()
        subtasks = []
        for i in range(1, SUBTASK_ROWS + 1):
            title = (cleaned.get(f"subtask{i}_title") or "").strip()
            assignee = cleaned.get(f"subtask{i}_assignee")
            due = cleaned.get(f"subtask{i}_due_date")
            if not (title or assignee or due):
                continue
            if not title:
                self.add_error(f"subtask{i}_title", _("Опишите подзадачу."))
            if not assignee:
                self.add_error(f"subtask{i}_assignee", _("Укажите исполнителя подзадачи."))
            if due and due < timezone.localdate():
                self.add_error(f"subtask{i}_due_date", _("Срок не может быть в прошлом."))
            control = getattr(self.letter, "control_date", None)
            if due and control and due > control and not cleaned.get("late_ok"):
                self.add_error(
                    f"subtask{i}_due_date",
                    _(
                        "Срок позже контрольного срока письма (%(date)s). Исправьте срок или "
                        "отметьте «так и задумано»."
                    )
                    % {"date": control.strftime("%d.%m.%Y")},
                )
            subtasks.append({"title": title, "assignee": assignee, "due_date": due})
        cleaned["subtasks"] = subtasks
        return cleaned


class AssignExecutorForm(forms.Form):
    executor = EmployeeChoiceField(label=gettext_lazy("Исполнитель"), queryset=User.objects.none())
    comment = forms.CharField(
        label=gettext_lazy("Указание исполнителю"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["executor"].queryset = active_employees()


class ExecuteForm(UploadsFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Нужен ли ответ?"),
        choices=[
            (NO_REPLY, gettext_lazy("Ответ не требуется — письмо исполнено")),
            (REPLY_NEEDED, gettext_lazy("Нужен ответ — подготовить исходящее письмо")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Комментарий об исполнении"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # shown only when «Нужен ответ» is chosen (static/js/argo.js reads data-shown-when)
    reply_text = forms.CharField(
        label=gettext_lazy("Текст ответа"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "data-shown-when": f"decision={REPLY_NEEDED}"}),
    )
    reply_files = MultipleFileField(label=gettext_lazy("Файл ответа"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reply_files"].widget.attrs["data-shown-when"] = f"decision={REPLY_NEEDED}"

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision == NO_REPLY and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("Опишите, как письмо исполнено."))
        if decision == REPLY_NEEDED:
            if not (cleaned.get("reply_text") or "").strip():
                self.add_error("reply_text", _("Напишите текст ответа."))
            if not cleaned.get("reply_files") and not self.has_error("reply_files"):
                self.add_error("reply_files", _("Приложите файл ответа."))
        return cleaned


def due_at_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(18, 0)))
