"""Registration number format of a journal (no database)."""

import pytest

from correspondence.models import RegistrationJournal


@pytest.mark.parametrize(
    ("number_format", "width", "expected"),
    [
        ("{index}-{seq}/{entity}/{year}", 4, "Вх-0007/БЦ/2026"),
        ("{seq}", 0, "7"),
        ("{entity}-{index}{seq}-{year}", 3, "ОТ-Вх007-2026"),
    ],
)
def test_number_is_built_from_the_configured_parts(number_format, width, expected):
    """GIVEN a journal format and a zero-padding width WHEN number 7 of 2026 is formatted for the
    entity code THEN the parts land where the administrator put them."""
    entity = "ОТ" if number_format.startswith("{entity}") else "БЦ"
    journal = RegistrationJournal(index="Вх", number_format=number_format, sequence_width=width)
    assert journal.format_number(7, 2026, entity_code=entity) == expected
