"""Pure functions of contracts: placeholders and KPI figures (no database)."""

import datetime as dt

from contracts.models import Approval
from contracts.selectors import KpiRow
from contracts.services.naming import _Placeholders


def test_unknown_placeholders_stay_as_typed():
    """GIVEN a template with a known and an unknown placeholder THEN only the known is filled."""
    assert "{type} / {oops}".format_map(_Placeholders(type="Закупка")) == "Закупка / {oops}"


def test_kpi_row_percent_and_median():
    """GIVEN 3 on-time and 1 late decisions taking 1, 2, 3 and 10 hours
    THEN 75 % on time and a median of 2.5 hours; an empty row shows 0 % and no median."""
    row = KpiRow("Юрист", on_time=3, late=1, hours=[1, 2, 3, 10])
    assert (row.total, row.on_time_percent, row.median_hours) == (4, 75, 2.5)
    empty = KpiRow("—")
    assert (empty.on_time_percent, empty.median_hours) == (0, None)


def test_on_time_is_decided_against_the_deadline():
    """GIVEN a deadline WHEN decided a minute before / after THEN on time / late;
    undecided: None."""
    due = dt.datetime(2026, 3, 2, 18, 0, tzinfo=dt.UTC)
    assert Approval(due_at=due, decided_at=due - dt.timedelta(minutes=1)).on_time is True
    assert Approval(due_at=due, decided_at=due + dt.timedelta(minutes=1)).on_time is False
    assert Approval(due_at=due).on_time is None
