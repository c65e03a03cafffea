"""Registration numbers of incoming letters: format, yearly restart, no duplicates under load."""

import threading

import pytest
import time_machine
from django.db import connection

from correspondence.models import IncomingLetter, RegistrationJournal
from correspondence.testing import build_world, register


@pytest.fixture
def world(org):
    return build_world(org)


def test_numbers_follow_the_journal_format_and_increase(world):
    """GIVEN the incoming journal of ООО «Арго Офис» (format Вх-{seq}/{entity}/{year}, 4 digits)
    WHEN two letters are registered
    THEN they get Вх-0001/БЦ/<year> and Вх-0002/БЦ/<year>."""
    first = register(world["office"], entity=world["entity"], counterparty=world["tenant"])
    second = register(world["office"], entity=world["entity"], counterparty=world["tenant"])
    year = first.registered_at.year
    assert first.reg_number == f"Вх-0001/БЦ/{year}"
    assert second.reg_number == f"Вх-0002/БЦ/{year}"


def test_numbering_restarts_each_year(world):
    """GIVEN a letter registered on 30 December WHEN the next one is registered on 10 January
    THEN the new year's sequence starts again from 1."""
    with time_machine.travel("2026-12-30 10:00 +0300", tick=False):
        old = register(world["office"], entity=world["entity"], counterparty=world["tenant"])
        register(world["office"], entity=world["entity"], counterparty=world["tenant"])
    with time_machine.travel("2027-01-11 10:00 +0300", tick=False):
        new = register(world["office"], entity=world["entity"], counterparty=world["tenant"])
    assert old.reg_number == "Вх-0001/БЦ/2026"
    assert new.reg_number == "Вх-0001/БЦ/2027"


def test_a_format_without_sequence_is_refused_in_the_admin(world):
    """GIVEN a journal WHEN the admin sets a format without {seq} THEN validation refuses it."""
    from django.core.exceptions import ValidationError

    journal = RegistrationJournal.objects.filter(legal_entity=world["entity"]).first()
    journal.number_format = "{index}/{year}"
    with pytest.raises(ValidationError):
        journal.full_clean()
    journal.number_format = "{index}-{nope}"
    with pytest.raises(ValidationError):
        journal.full_clean()


@pytest.mark.django_db(transaction=True)
def test_two_secretaries_saving_at_once_get_different_numbers(world):
    """GIVEN two secretaries WHEN both save a letter at the same moment (two threads, PostgreSQL)
    THEN both letters are registered with consecutive, different numbers."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def save() -> None:
        try:
            barrier.wait(timeout=5)
            register(world["office"], entity=world["entity"], counterparty=world["tenant"])
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    sequences = sorted(IncomingLetter.objects.values_list("reg_sequence", flat=True))
    assert sequences == [1, 2]
    assert IncomingLetter.objects.values("reg_number").distinct().count() == 2
