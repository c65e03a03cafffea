import pytest
from django.utils import translation
from django.utils.translation import ngettext


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (1, "1 письмо"),
        (2, "2 письма"),
        (4, "4 письма"),
        (5, "5 писем"),
        (11, "11 писем"),
        (21, "21 письмо"),
        (22, "22 письма"),
    ],
)
def test_register_counts_letters_in_proper_russian(count, text):
    """GIVEN the register footer WHEN it counts letters THEN Russian gets its three plural forms."""
    with translation.override("ru"):
        assert ngettext("%(total)s письмо", "%(total)s писем", count) % {"total": count} == text
