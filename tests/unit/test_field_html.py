"""``|as_field`` builds fields in Python: for every widget it handles, the HTML must be the
same as crispy's ``|as_crispy_field`` (ids, classes, aria attributes, label, errors, help), so
the pages look and behave the same whichever path rendered them."""

import datetime

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms
from django.test.html import parse_html

from argo_docs.field_html import render_field, render_form
from argo_docs.widgets import FastSelectsMixin

CHOICES = [("", "---------"), ("a", "Первый"), ("b", "ООО «Ромашка» & <Сыны>")]


class _Everything(FastSelectsMixin, forms.Form):
    q = forms.CharField(label="Поиск", required=False, max_length=200)
    name = forms.CharField(label="Имя <b>", help_text="Как в паспорте", min_length=3)
    note = forms.CharField(
        label="Заметка", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    email = forms.EmailField(label="Почта", required=False)
    amount = forms.DecimalField(label="Сумма", required=False, max_digits=10, decimal_places=2)
    day = forms.DateField(
        label="Дата", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(label="Статус", choices=CHOICES, required=False)
    kinds = forms.MultipleChoiceField(label="Виды", choices=CHOICES[1:], required=False)
    overdue = forms.BooleanField(label="Только просроченные", required=False)
    agree = forms.BooleanField(label="Согласен", help_text="Обязательно")
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    # rendered by crispy through the fallback
    kind = forms.ChoiceField(
        label="Вид", choices=CHOICES[1:], widget=forms.RadioSelect, required=False
    )
    scan = forms.FileField(label="Скан", required=False)


VALID = {
    "q": 'кровля "А" & <b>',
    "name": "Иванов",
    "note": "строка 1\n<строка 2>",
    "email": "a@b.ru",
    "amount": "12.50",
    "day": "2026-12-01",
    "status": "b",
    "kinds": ["a", "b"],
    "overdue": "on",
    "agree": "on",
    "hidden": "x",
}
INVALID = {"name": "Ив", "email": "не почта", "amount": "много", "day": "вчера", "status": "z"}


@pytest.mark.parametrize(
    "form",
    [
        _Everything(),
        _Everything(initial={"q": "договор", "day": datetime.date(2026, 1, 2), "overdue": True}),
        _Everything(VALID),
        _Everything(INVALID),
    ],
    ids=["unbound", "initial", "valid", "errors"],
)
def test_same_html_as_crispy(form):
    form.is_bound and form.is_valid()
    for name in form.fields:
        # two fresh forms: crispy writes its classes into the widget's attributes
        ours = render_field(_copy(form)[name])
        theirs = as_crispy_field(_copy(form)[name])
        assert parse_html(ours) == parse_html(theirs), name


def _copy(form):
    copy = (
        _Everything(form.data or None, initial=form.initial)
        if form.is_bound
        else _Everything(initial=form.initial)
    )
    copy.is_bound and copy.is_valid()
    return copy


def test_errors_are_shown_and_escaped():
    form = _Everything(INVALID)
    form.is_valid()
    html = render_field(form["status"])
    assert "is-invalid" in html and 'aria-invalid="true"' in html
    assert "invalid-feedback" in html
    html = render_field(_Everything(VALID)["q"])
    assert "&lt;b&gt;" in html and "<b>" not in html


class _Period(forms.Form):
    start = forms.DateField(label="С", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="По", widget=forms.DateInput(attrs={"type": "date"}))
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError("Начало позже конца <периода>")
        return data


@pytest.mark.parametrize(
    "data", [None, {"start": "2026-02-01", "end": "2026-01-01", "token": "t"}, {"start": "x"}]
)
def test_whole_form_same_html_as_crispy(data):
    def bound():
        form = _Period(data)
        form.is_bound and form.is_valid()
        return form

    ours = render_form(bound())
    assert parse_html(ours) == parse_html(as_crispy_form(bound()))
    if data and data.get("token"):
        assert "alert-danger" in ours and "&lt;периода&gt;" in ours
