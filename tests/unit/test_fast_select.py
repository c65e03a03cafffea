"""The filter forms' selects are built in Python: they must give exactly the HTML Django's own
select gives, so nothing changes for the user or the browser tests."""

import pytest
from django import forms
from django.test.html import parse_html

from argo_docs.widgets import FastSelect, FastSelectsMixin

CHOICES = [
    ("", "---------"),
    ("1", "Иванов Иван — менеджер"),
    ("2", 'ООО «Ромашка» & <Сыны> "2"'),
    ("Отдел", [("3", "Петров"), ("4", "Сидоров")]),
]


@pytest.mark.parametrize("value", [None, "", "2", "4", 1, "нет такого"])
@pytest.mark.parametrize("attrs", [{}, {"class": "form-select", "required": True, "id": "id_x"}])
def test_same_html_as_django_select(value, attrs):
    expected = forms.Select(choices=CHOICES).render("executor", value, attrs)
    assert parse_html(FastSelect(choices=CHOICES).render("executor", value, attrs)) == parse_html(
        expected
    )


def test_text_is_escaped():
    html = FastSelect(choices=CHOICES).render("x", None)
    assert "&lt;Сыны&gt;" in html and "<Сыны>" not in html


class _Filter(FastSelectsMixin, forms.Form):
    status = forms.ChoiceField(choices=CHOICES[:3], required=False)
    kind = forms.ChoiceField(choices=CHOICES[:3], required=False, widget=forms.RadioSelect)


def test_mixin_swaps_only_plain_selects_and_keeps_the_bound_value():
    form = _Filter({"status": "2"})
    assert isinstance(form.fields["status"].widget, FastSelect)
    assert isinstance(form.fields["kind"].widget, forms.RadioSelect)
    rendered = str(form["status"])
    assert 'value="2" selected' in rendered
    assert form.is_valid(), form.errors
