"""Forms of outgoing letters: the draft, the register filters, one form per task decision."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from argo_docs.widgets import FastSelectsMixin, NamedChoiceField
from correspondence.models import (
    DeliveryMethod,
    OutgoingStatus,
    Project,
)
from correspondence.services.outgoing import NOT_YET, RECEIVED
from crm.models import Counterparty
from storage.forms import MultipleFileField, UploadsFormMixin
from workflow.forms import EmployeeChoiceField, active_employees
from workflow.models import LegalEntity

User = get_user_model()

DATE_WIDGET = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
INVALID_DATE = gettext_lazy("Дата не распознана: введите её как ДД.ММ.ГГГГ, например 05.03.2026.")
FILTER_DATE = {**DATE_WIDGET, "error_messages": {"invalid": INVALID_DATE}}


class OutgoingForm(UploadsFormMixin, forms.Form):
    legal_entity = forms.ModelChoiceField(
        label=gettext_lazy("Отправитель (наше юрлицо)"), queryset=LegalEntity.objects.all()
    )
    counterparty = forms.ModelChoiceField(
        label=gettext_lazy("Получатель (контрагент)"),
        queryset=Counterparty.objects.all(),
        widget=forms.HiddenInput,
        error_messages={"required": gettext_lazy("Выберите контрагента-получателя.")},
    )
    subject = forms.CharField(label=gettext_lazy("Тема"), max_length=500)
    text = forms.CharField(
        label=gettext_lazy("Текст письма"), widget=forms.Textarea(attrs={"rows": 6})
    )
    document_date = forms.DateField(label=gettext_lazy("Дата документа"), **DATE_WIDGET)
    control_date = forms.DateField(
        label=gettext_lazy("Контрольный срок (ждём реакцию до)"), required=False, **DATE_WIDGET
    )
    executor = EmployeeChoiceField(label=gettext_lazy("Исполнитель"), queryset=User.objects.none())
    project = forms.ModelChoiceField(
        label=gettext_lazy("Проект"),
        queryset=Project.objects.filter(is_active=True),
        required=False,
    )
    files = MultipleFileField(label=gettext_lazy("Файлы"), required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, uploader=user, **kwargs)
        self.user = user
        self.fields["executor"].queryset = active_employees()
        if not self.is_bound and not self.initial:
            department = getattr(getattr(user, "employee", None), "department", None)
            self.initial = {
                "document_date": timezone.localdate(),
                "executor": user.pk,
                "legal_entity": department.legal_entity_id if department else None,
            }

    def clean(self):
        cleaned = super().clean()
        document, control = cleaned.get("document_date"), cleaned.get("control_date")
        if document and control and control < document:
            self.add_error("control_date", _("Контрольный срок не может быть раньше даты письма."))
        return cleaned


class OutgoingFilterForm(FastSelectsMixin, forms.Form):
    q = forms.CharField(label=gettext_lazy("Поиск"), required=False)
    legal_entity = forms.ModelChoiceField(
        label=gettext_lazy("Юрлицо"), queryset=LegalEntity.objects.all(), required=False
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Состояние"),
        choices=[("", gettext_lazy("Все"))] + list(OutgoingStatus.choices),
        required=False,
    )
    executor = EmployeeChoiceField(
        label=gettext_lazy("Исполнитель"), queryset=User.objects.none(), required=False
    )
    overdue = forms.BooleanField(label=gettext_lazy("Просроченные"), required=False)
    date_from = forms.DateField(label=gettext_lazy("Создано с"), required=False, **FILTER_DATE)
    date_to = forms.DateField(label=gettext_lazy("по"), required=False, **FILTER_DATE)
    counterparty = forms.ModelChoiceField(
        label=gettext_lazy("Контрагент"),
        queryset=Counterparty.objects.all(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": gettext_lazy("Такого контрагента нет.")},
    )
    project = NamedChoiceField(
        label=gettext_lazy("Проект"), queryset=Project.objects.all(), required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["executor"].queryset = active_employees()


# --- task decisions ------------------------------------------------------------------------------


class SendForm(forms.Form):
    method = forms.ChoiceField(
        label=gettext_lazy("Способ отправки"),
        choices=DeliveryMethod.choices,
        widget=forms.RadioSelect,
        initial=DeliveryMethod.EMAIL,
    )
    sent_on = forms.DateField(label=gettext_lazy("Дата отправки"), **DATE_WIDGET)
    email = forms.EmailField(
        label=gettext_lazy("Эл. почта получателя"),
        required=False,
        help_text=gettext_lazy("Для отправки по эл. почте; пусто — адрес из карточки контрагента."),
    )
    body = forms.CharField(
        label=gettext_lazy("Текст сообщения"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Пусто — текст письма."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["sent_on"].initial = timezone.localdate()

    def clean_sent_on(self):
        value = self.cleaned_data["sent_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("Дата отправки не может быть в будущем."))
        return value


class EmailRetryForm(forms.Form):
    """Send a letter's failed email again, optionally to a corrected address."""

    to = forms.EmailField(
        label=gettext_lazy("Адрес получателя"),
        required=False,
        help_text=gettext_lazy("Исправьте адрес, если сервер отклонил его."),
    )


class CounterpartyNumberForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Входящий номер у контрагента"), max_length=64)
    date = forms.DateField(label=gettext_lazy("Дата регистрации у контрагента"), **DATE_WIDGET)


class ReactionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Реакция контрагента"),
        choices=[
            (RECEIVED, gettext_lazy("Реакция получена — завершить")),
            (NOT_YET, gettext_lazy("Реакции пока нет — проверить позже")),
        ],
        widget=forms.RadioSelect,
        initial=RECEIVED,
    )
    answer_number = forms.CharField(
        label=gettext_lazy("Рег. номер ответного входящего"),
        max_length=64,
        required=False,
        help_text=gettext_lazy(
            "Необязательно: входящее от этого же контрагента, например Вх-0012/БЦ/2026."
        ),
    )
    next_check = forms.DateField(
        label=gettext_lazy("Новая дата проверки"), required=False, **DATE_WIDGET
    )
    comment = forms.CharField(
        label=gettext_lazy("Комментарий"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == NOT_YET:
            next_check = cleaned.get("next_check")
            if not next_check:
                self.add_error("next_check", _("Укажите новую дату проверки."))
            elif next_check <= timezone.localdate():
                self.add_error("next_check", _("Дата проверки должна быть в будущем."))
        return cleaned


class PrepareReplyForm(forms.Form):
    """The executor's task on the reply draft: submit it for approval (edit it first on its
    page). The note is optional and reaches the approvers."""

    note = forms.CharField(
        label=gettext_lazy("Комментарий для согласующих"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
