"""Guessing the counterparty of a message: the sender's address (the company's own or one of its
contact persons'), the letters registered from that address before, then the sender's domain;
never a public mail service, never an ambiguous address."""

from __future__ import annotations

import itertools

import pytest

from correspondence.services.mail import mail_matches
from correspondence.testing import build_world, register
from crm.models import ContactPerson
from intake.models import Mailbox
from intake.services import item_register, item_store
from intake.testing import letter
from tests.factories import CounterpartyFactory

_uids = itertools.count(1)


@pytest.fixture
def world(org, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world(org)


@pytest.fixture
def mailbox(world):
    return Mailbox.objects.create(
        name="Канцелярия",
        host="imap.example.ru",
        username="office@argo.test",
        password_env="ARGO_TEST_UNUSED",
        default_legal_entity=world["entity"],
    )


def deliver(mailbox, raw: bytes):
    item, outcome = item_store(mailbox=mailbox, uid_validity=1, uid=next(_uids), raw=raw)
    assert outcome == "created"
    return item


def test_counterparty_guesses_by_address_domain_history_and_never_a_public_domain(world, mailbox):
    romashka = CounterpartyFactory(name="ООО «Ромашка»", email="office@romashka.ru")
    CounterpartyFactory(name="ООО «Двойник 1»", email="a@twins.ru")
    CounterpartyFactory(name="ООО «Двойник 2»", email="b@twins.ru")
    CounterpartyFactory(name="Частник", email="someone@mail.ru")
    by_domain = deliver(mailbox, letter(subject="1", sender="buh@romashka.ru"))
    ambiguous = deliver(mailbox, letter(subject="2", sender="c@twins.ru"))
    public = deliver(mailbox, letter(subject="3", sender="other@mail.ru"))
    learned = deliver(mailbox, letter(subject="4", sender="new@partner.ru"))
    earlier = deliver(mailbox, letter(subject="5", sender="new@partner.ru"))
    client_letter = register(
        world["office"], entity=world["entity"], counterparty=world["contractor"]
    )
    item_register(item_id=earlier.pk, document=client_letter, user=world["office"])
    matches = mail_matches([by_domain, ambiguous, public, learned])
    assert matches[by_domain.pk].counterparty == romashka
    assert matches[ambiguous.pk].counterparty is None
    assert matches[public.pk].counterparty is None
    assert matches[learned.pk].counterparty == world["contractor"]


def test_a_contact_persons_address_names_the_company(world, mailbox):
    """GIVEN the accountant of «Берёзка» in the CRM contacts, and a person with the same address
    at two companies WHEN letters come from them THEN the accountant's letter is guessed as
    «Берёзка» (by address, and her colleagues' by domain), the shared address guesses nothing."""
    berezka = CounterpartyFactory(name="ООО «Берёзка»", email="")
    ContactPerson.objects.create(company=berezka, name="Иванова Анна", emails=["Buh@Berezka.RU"])
    for name in ("ООО «Первая»", "ООО «Вторая»"):
        ContactPerson.objects.create(
            company=CounterpartyFactory(name=name, email=""), name="Сидоров", emails=["s@both.ru"]
        )
    accountant = deliver(mailbox, letter(subject="1", sender="buh@berezka.ru"))
    colleague = deliver(mailbox, letter(subject="2", sender="director@berezka.ru"))
    shared = deliver(mailbox, letter(subject="3", sender="s@both.ru"))
    matches = mail_matches([accountant, colleague, shared])
    assert matches[accountant.pk].counterparty == berezka
    assert matches[colleague.pk].counterparty == berezka
    assert matches[shared.pk].counterparty is None
