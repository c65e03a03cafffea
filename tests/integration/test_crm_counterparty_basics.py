import pytest
from django.core.exceptions import ValidationError

from crm.models import CounterpartyCategory
from crm.selectors import counterparty_search
from crm.services import counterparty_create


def test_search_finds_by_part_of_name_case_insensitive_and_with_a_typo(db):
    """GIVEN counterparties WHEN the office manager types a part of a name, in any case,
    or with a typo THEN the right counterparty comes first."""
    counterparty_create(name="ООО «ЛифтСервис»", category=CounterpartyCategory.CONTRACTOR)
    counterparty_create(
        name="Межрайонная ИФНС России № 17", category=CounterpartyCategory.GOVERNMENT
    )
    assert [c.name for c in counterparty_search("лифт")] == ["ООО «ЛифтСервис»"]
    assert counterparty_search("ифнс")[0].name.startswith("Межрайонная")
    assert counterparty_search("Лифтсервес")[0].name == "ООО «ЛифтСервис»"
    assert list(counterparty_search("   ")) == []


def test_create_refuses_empty_name_and_duplicate_inn(db):
    counterparty_create(name="ООО «Ромашка»", inn="7801234567", kpp="780101001")
    with pytest.raises(ValidationError):
        counterparty_create(name="   ")
    with pytest.raises(ValidationError):
        counterparty_create(name="ООО «Ромашка 2»", inn="7801234567", kpp="780101001")
