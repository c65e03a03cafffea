"""Editing a contract says it was saved; the create form shows an example name, never raw
placeholders; the PDF prints amounts the Russian way, as the card does."""

from decimal import Decimal

import pytest
from django.urls import reverse

from contracts.services.naming import amount_text
from contracts.testing import new_contract, theatre


@pytest.fixture
def t(org):
    return theatre(org)


def test_saving_an_edit_confirms_it(client, t):
    """GIVEN the initiator's draft WHEN she saves a new subject THEN the card says the changes
    are saved and shows the new subject."""
    contract = new_contract(t, contract_type=t["income"], fund=None, amount=Decimal("415000"))
    client.force_login(t["seller"])
    response = client.post(
        reverse("contracts:contract-edit", args=[contract.pk]),
        {
            "subject_category": t["services"].pk,
            "subject": "Поставка пультов",
            "counterparty": contract.counterparty_id,
            "amount": "415000",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Изменения договора сохранены." in page
    assert "Поставка пультов" in page


def test_the_create_form_shows_an_example_name_and_amounts_are_russian(client, t):
    """WHEN the create form of a type is opened THEN an example name is shown and no «{...}»
    placeholder; the PDF's amount text is «415 000,00» like the card's."""
    client.force_login(t["seller"])
    page = client.get(reverse("contracts:contract-create"), {"type": t["income"].pk})
    text = page.content.decode()
    example = text[text.index('data-testid="name-example"') :][:400]
    assert "{" not in example
    assert amount_text(Decimal("415000")).replace("\xa0", " ") == "415 000,00"
