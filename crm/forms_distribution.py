"""The distribution page's forms: its settings and the confirmation of a run."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.models import CounterpartyCategory, CrmSettings, Industry


class DistributionSettingsForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("День"),
        coerce=int,
        choices=CrmSettings._meta.get_field("distribution_weekday").choices,
    )
    time = forms.TimeField(
        label=_("Время"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    quota = forms.IntegerField(
        label=_("Компаний на менеджера в неделю"), min_value=1, max_value=1000
    )
    categories = forms.MultipleChoiceField(
        label=_("Категории компаний"),
        choices=CounterpartyCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Выберите хотя бы одну категорию.")},
    )
    industries = forms.ModelMultipleChoiceField(
        label=_("Сферы деятельности"),
        queryset=Industry.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Ни одной не отмечено — все сферы."),
    )

    @classmethod
    def for_settings(cls, settings: CrmSettings, data=None) -> "DistributionSettingsForm":
        return cls(
            data,
            initial={
                "weekday": settings.distribution_weekday,
                "time": settings.distribution_time,
                "quota": settings.distribution_quota,
                "categories": settings.distribution_categories,
                "industries": list(settings.distribution_industries.all()),
            },
        )


class DistributionRunForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Да, распределить компании на эту неделю"),
        error_messages={"required": _("Подтвердите распределение.")},
    )
