"""The people selects of list filters are listed by one values query: every label must be the
one the picker gives everywhere else («Фамилия Имя — должность», former employees marked), and
the select the same HTML as Django's."""

from django import forms
from django.test.html import parse_html

from argo_docs.widgets import FastSelectsMixin
from correspondence.forms import RegisterFilterForm
from tests.factories import UserFactory, employee
from workflow.pickers import PersonChoiceField, people


class _Plain(forms.Form):
    person = PersonChoiceField(queryset=people(active=None, employees_only=False), required=False)


class _Fast(FastSelectsMixin, _Plain):
    pass


def test_people_labels_and_html_match_the_picker(org):
    left = employee("left", org["departments"]["legal"], last_name="Ёлкина", first_name="Анна")
    left.is_active = False
    left.save()
    UserFactory(username="nameless", first_name="", last_name="")  # no employee, no name
    field = _Plain().fields["person"]
    expected = [(obj.pk, field.label_from_instance(obj)) for obj in field.queryset]
    assert list(field.fast_choices()) == expected
    assert any("(не работает)" in label for _pk, label in expected)
    chosen = {"person": str(left.pk)}
    assert parse_html(str(_Fast(chosen)["person"])) == parse_html(str(_Plain(chosen)["person"]))


def test_register_filter_offers_active_employees_with_positions(org):
    html = str(RegisterFilterForm()["executor"])
    first = next(iter(RegisterFilterForm().fields["executor"].queryset))
    assert f'<option value="{first.pk}">' in html
    assert html.count("<option") == RegisterFilterForm().fields["executor"].queryset.count() + 1
