import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_PERIOD_DAYS = 90
MAX_PERIOD_DAYS = 3 * 366


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("с"), required=False)
    date_to = forms.DateField(label=_("по"), required=False)

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        date_to = data.get("date_to") or today
        date_from = data.get("date_from") or date_to - dt.timedelta(days=DEFAULT_PERIOD_DAYS)
        if date_from > date_to:
            raise forms.ValidationError(_("Начало периода позже его конца."))
        if (date_to - date_from).days > MAX_PERIOD_DAYS:
            raise forms.ValidationError(_("Период не может быть длиннее трёх лет."))
        data["date_from"], data["date_to"] = date_from, date_to
        return data

    def period(self) -> tuple[dt.date, dt.date]:
        """The valid period, or the default one (the last 90 days) when the input was refused."""
        if self.is_valid():
            return self.cleaned_data["date_from"], self.cleaned_data["date_to"]
        today = timezone.localdate()
        return today - dt.timedelta(days=DEFAULT_PERIOD_DAYS), today


class FollowUpForm(forms.Form):
    remind_at = forms.DateTimeField(
        label=_("Напомнить"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    note = forms.CharField(label=_("О чём напомнить"), max_length=300, required=False)

    def clean_remind_at(self):
        value = self.cleaned_data["remind_at"]
        if value <= timezone.now():
            raise forms.ValidationError(_("Укажите момент в будущем."))
        return value
