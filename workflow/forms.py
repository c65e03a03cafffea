import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflow.pickers import PersonChoiceField, people

User = get_user_model()


class EmployeeChoiceField(PersonChoiceField):
    """«Фамилия Имя — должность» (kept under this name for the forms that import it)."""


def active_employees():
    return people()


class InstructionGiveForm(forms.Form):
    assignee = EmployeeChoiceField(label=_("Исполнитель"), queryset=User.objects.none())
    title = forms.CharField(label=_("Что сделать"), max_length=255)
    description = forms.CharField(
        label=_("Подробности"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    due_date = forms.DateField(
        label=_("Срок"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("До 18:00 указанного дня. Без срока задание не просрочивается."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = active_employees()

    def clean_due_date(self) -> dt.date | None:
        due = self.cleaned_data.get("due_date")
        if due and due < timezone.localdate():
            raise forms.ValidationError(_("Срок не может быть в прошлом."))
        return due

    def due_at(self) -> dt.datetime | None:
        due = self.cleaned_data.get("due_date")
        if due is None:
            return None
        return timezone.make_aware(dt.datetime.combine(due, dt.time(18, 0)))


class InstructionCompleteForm(forms.Form):
    comment = forms.CharField(
        label=_("Отчёт об исполнении"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
