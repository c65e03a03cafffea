"""The manual calendar event form."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.forms import DATETIME_WIDGET
from crm.models import EventKind

REMINDERS = [
    ("", _("Без напоминания")),
    ("0", _("В момент начала")),
    ("15", _("За 15 минут")),
    ("30", _("За 30 минут")),
    ("60", _("За 1 час")),
    ("120", _("За 2 часа")),
    ("1440", _("За 1 день")),
]


class EventForm(forms.Form):
    title = forms.CharField(label=_("Название"), max_length=255)
    kind = forms.ChoiceField(label=_("Вид"), choices=EventKind.choices, initial=EventKind.OTHER)
    starts_at = forms.DateTimeField(label=_("Начало"), widget=DATETIME_WIDGET)
    ends_at = forms.DateTimeField(
        label=_("Окончание"),
        widget=DATETIME_WIDGET,
        required=False,
        help_text=_("Пусто — 30 минут."),
    )
    reminder_minutes = forms.TypedChoiceField(
        label=_("Напоминание"),
        choices=REMINDERS,
        coerce=int,
        empty_value=None,
        required=False,
        initial="60",
    )
    description = forms.CharField(
        label=_("Описание"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, event=None, **kwargs):
        if event is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": event.title,
                    "kind": event.kind,
                    "starts_at": timezone.localtime(event.starts_at),
                    "ends_at": timezone.localtime(event.ends_at),
                    "reminder_minutes": ""
                    if event.reminder_minutes is None
                    else str(event.reminder_minutes),
                    "description": event.description,
                },
            )
        super().__init__(*args, **kwargs)
        minutes = kwargs.get("initial", {}).get("reminder_minutes")
        if minutes not in (None, "") and str(minutes) not in dict(REMINDERS):
            # a custom value (e.g. the configured default) stays selectable
            self.fields["reminder_minutes"].choices = [
                *REMINDERS,
                (str(minutes), _("За %(n)s мин.") % {"n": minutes}),
            ]

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and not ends:
            data["ends_at"] = starts + dt.timedelta(minutes=30)
        elif starts and ends and ends < starts:
            self.add_error("ends_at", _("Окончание не может быть раньше начала."))
        return data
