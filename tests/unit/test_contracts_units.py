"""Pure functions of contracts: name templates, KPI figures, on-time marks (no database)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from contracts.name_template import (
    DEFAULT_NAME_TEMPLATE,
    example_name,
    render_name,
    validate_name_template,
)
from contracts.selectors import KpiRow
from workflow.models import RouteStep

VALUES = {
    "type": "Закупка",
    "number": "7",
    "date": "01.03.2026",
    "counterparty": "ООО «Ромашка»",
    "subject": "Свет",
    "amount": "1 000,00",
}


def test_unknown_placeholders_stay_as_typed():
    """GIVEN a template with a known and an unknown placeholder THEN only the known is filled."""
    assert render_name("{type} / {oops}", VALUES) == "Закупка / {oops}"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{type} № {number", "Фигурные скобки не сбалансированы"),
        ("{type} № number}", "Фигурные скобки не сбалансированы"),
        ("{type} {nomer}", "Неизвестная подстановка «{nomer}»"),
        ("{type} {}", "Неизвестная подстановка «{}»"),
        ("{type} {0}", "Неизвестная подстановка «{0}»"),
        ("{type.__class__}", "Неизвестная подстановка «{type.__class__}»"),
        ("{type[0]}", "Неизвестная подстановка «{type[0]}»"),
        ("{amount:d}", "записана с форматом"),
        ("{type:>99999999}", "записана с форматом"),
        ("{type!r}", "записана с форматом"),
        ("Договор", "нет ни одной подстановки"),
    ],
)
def test_a_malformed_template_is_refused_in_russian(template, message):
    """GIVEN a template an administrator might type WHEN validated THEN a Russian message says
    what is wrong."""
    with pytest.raises(ValidationError) as refused:
        validate_name_template(template)
    assert message in refused.value.messages[0]


@pytest.mark.parametrize(
    "template", [DEFAULT_NAME_TEMPLATE, "{{{type}}} {number}", "{subject} ({amount} ₽)"]
)
def test_good_templates_pass_and_render(template):
    """GIVEN a valid template (escaped braces included) THEN it passes and renders."""
    validate_name_template(template)
    assert "{type" not in render_name(template, VALUES)


@pytest.mark.parametrize("template", ["{type} {", "{0} {}", "{type:>99999999}", "{type.upper}"])
def test_a_template_saved_around_the_validation_falls_back_to_the_default(template):
    """GIVEN a broken template in the database THEN names still come out (the default one)."""
    assert render_name(template, VALUES) == render_name(DEFAULT_NAME_TEMPLATE, VALUES)


def test_the_create_form_shows_an_example_name_not_placeholders():
    """GIVEN the default template THEN the example has no braces left."""
    assert "{" not in example_name(DEFAULT_NAME_TEMPLATE)


def test_kpi_row_percent():
    """GIVEN 3 on-time and 1 late decisions THEN 75 % on time; an empty row shows 0 %."""
    row = KpiRow("Юрист", on_time=3, late=1, median_hours=2.5)
    assert (row.total, row.on_time_percent) == (4, 75)
    assert KpiRow("—").on_time_percent == 0


def test_on_time_is_decided_against_the_deadline():
    """GIVEN a deadline WHEN decided a minute before / after THEN on time / late;
    undecided: None."""
    due = dt.datetime(2026, 3, 2, 18, 0, tzinfo=dt.UTC)
    assert RouteStep(due_at_fixed=due, decided_at=due - dt.timedelta(minutes=1)).on_time is True
    assert RouteStep(due_at_fixed=due, decided_at=due + dt.timedelta(minutes=1)).on_time is False
    assert RouteStep(due_at_fixed=due).on_time is None
