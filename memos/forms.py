"""The memo form, the addressee's decision form and the register filters."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from argo_docs.widgets import FastSelectsMixin
from memos.models import MemoStatus
from memos.services import addressees
from storage.forms import MultipleFileField
from workflow.forms import EmployeeChoiceField, active_employees

NOBODY = get_user_model().objects.none()
DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "required": False}

ROWS = 4  # executors in one resolution
TEXT = {"widget": forms.Textarea(attrs={"rows": 3}), "required": False}


class PeopleField(forms.ModelMultipleChoiceField):
    label_from_instance = EmployeeChoiceField.label_from_instance
    widget = forms.SelectMultiple(attrs={"size": 6})


class ExecutorWidget(forms.MultiWidget):
    """One row of the resolution: the executor and their deadline side by side."""

    template_name = "memos/_executor_widget.html"

    def __init__(self, attrs=None) -> None:
        date = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        super().__init__([forms.Select(attrs={"class": "form-select"}), date], attrs)

    def decompress(self, value):
        return [value[0].pk, value[1]] if value else [None, None]


class ExecutorField(forms.MultiValueField):
    widget = ExecutorWidget

    def __init__(self, n: int, people) -> None:
        person = EmployeeChoiceField(queryset=people, required=False)
        label = _("Исполнитель %(n)s и срок") % {"n": n}
        super().__init__([person, forms.DateField()], label=label, required=False)
        choose, date = self.widget.widgets
        choose.choices, choose.attrs["aria-label"] = (
            person.choices,
            _("Исполнитель %(n)s") % {"n": n},
        )
        date.attrs["aria-label"] = _("Срок исполнителя %(n)s") % {"n": n}

    def compress(self, values):
        return tuple(values) if values and any(values) else None


class MemoForm(forms.Form):
    addressee = EmployeeChoiceField(label=_("Кому"), queryset=NOBODY)
    subject = forms.CharField(label=_("Тема"), max_length=500)
    text = forms.CharField(label=_("Текст"), widget=forms.Textarea(attrs={"rows": 8}))
    help = _("Необязательно; несколько — с Ctrl. Получат задание «Ознакомиться» после утверждения.")
    acknowledgers = PeopleField(
        label=_("Ознакомить"), queryset=NOBODY, required=False, help_text=help
    )
    files = MultipleFileField(label=_("Файлы"), required=False)

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["addressee"].queryset = addressees().exclude(pk=user.pk)
        self.fields["acknowledgers"].queryset = active_employees().exclude(pk=user.pk)


class DecisionForm(forms.Form):
    """The addressee's decision: approve with a resolution and executors, return or decline."""

    takes_task = True
    CHOICES = [
        ("approve", _("Утвердить и дать резолюцию")),
        ("return", _("Вернуть автору на доработку")),
        ("reject", _("Отклонить")),
    ]
    DONE = {
        "approve": _("Служебная записка утверждена."),
        "return": _("Служебная записка возвращена автору на доработку."),
        "reject": _("Служебная записка отклонена."),
    }
    decision = forms.ChoiceField(label=_("Решение"), choices=CHOICES, widget=forms.RadioSelect)
    help = _("Исполнители ниже получат задания со своими сроками; отчитаются все — «Исполнено».")
    resolution = forms.CharField(label=_("Резолюция"), help_text=help, **TEXT)
    self_execute = forms.BooleanField(label=_("Назначаю исполнителем себя"), required=False)
    acknowledgers = PeopleField(label=_("Ознакомить с решением"), queryset=NOBODY, required=False)
    comment = forms.CharField(label=_("Причина возврата или отказа"), **TEXT)

    def __init__(self, *args, task, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user, memo, people = task.assignee, task.subject, active_employees()
        rows = [f"executor{n}" for n in range(1, ROWS + 1)]
        self.fields.update({name: ExecutorField(n, people) for n, name in enumerate(rows, 1)})
        self.order_fields(["decision", "resolution", *rows, "self_execute", "acknowledgers"])
        others = people.exclude(pk__in=[memo.author_id, memo.addressee_id])
        self.fields["acknowledgers"].queryset = others

    def clean(self):
        data = super().clean()
        decision, executors = data.get("decision"), []
        for n in range(1, ROWS + 1) if decision == "approve" else ():
            person, day = data.get(f"executor{n}") or (None, None)
            if person is None and day:
                self.add_error(f"executor{n}", _("Выберите исполнителя для этого срока."))
            elif person in [p for p, _day in executors]:
                self.add_error(f"executor{n}", _("Этот исполнитель уже назначен выше."))
            elif person == self.user and not data.get("self_execute"):
                self.add_error(
                    f"executor{n}", _("Вы назначаете себя: отметьте «Назначаю исполнителем себя».")
                )
            elif person and (not day or day < timezone.localdate()):
                self.add_error(
                    f"executor{n}", _("Укажите срок исполнения, не раньше сегодняшнего дня.")
                )
            elif person:
                executors.append((person, day))
        data["executors"] = executors
        if decision == "approve" and not (data.get("resolution") or "").strip():
            self.add_error("resolution", _("Напишите резолюцию."))
        if decision in ("return", "reject") and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Напишите, почему возвращаете или отклоняете."))
        return data


class FilterForm(FastSelectsMixin, forms.Form):
    SCOPES = [("", _("Все")), ("mine", _("Мои")), ("to_me", _("Адресованные мне"))]
    q = forms.CharField(label=_("Номер или тема"), required=False)
    scope = forms.ChoiceField(label=_("Чьи"), choices=SCOPES, required=False)
    statuses = [("", _("Любое")), *MemoStatus.choices]
    status = forms.ChoiceField(label=_("Состояние"), choices=statuses, required=False)
    date_from = forms.DateField(label=_("Создана с"), **DATE)
    date_to = forms.DateField(label=_("по"), **DATE)
