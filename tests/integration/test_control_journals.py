"""Registration journal reports: the journal of a period as a PDF, and «Пропуски в нумерации»
with the reason where it is known (a letter deleted after registration) or not (a counter
raised by hand). A failed registration burns no number: the counter rolls back with it."""

import datetime as dt

import pytest
from django.utils import timezone

from control.journals import journal_rows, numbering_gaps
from correspondence.models import IncomingLetter, JournalCounter
from correspondence.testing import build_world, register


@pytest.fixture
def world(org):
    return build_world(org)


def _letters(world, count):
    return [
        register(
            world["office"],
            entity=world["entity"],
            counterparty=world["tenant"],
            subject=f"Письмо {i}",
            summary=f"Содержание {i}",
            responsible=world["seller"],
        )
        for i in range(1, count + 1)
    ]


def test_a_deleted_letter_and_a_raised_counter_show_as_gaps_with_their_reasons(client, world):
    """GIVEN letters 1–4 registered, letter 2 deleted afterwards, and the counter raised by
    hand from 4 to 6 WHEN the office opens the gaps report THEN it lists №2 «удалено после
    регистрации» and 5–6 with an unknown reason; nothing else."""
    letters = _letters(world, 4)
    journal = letters[0].journal
    deleted_number = letters[1].reg_number
    IncomingLetter.objects.filter(pk=letters[1].pk).delete()
    JournalCounter.objects.filter(journal=journal).update(last_number=6)

    gaps = [g for g in numbering_gaps() if g.journal == journal]
    assert [(g.first, g.last) for g in gaps] == [(2, 2), (5, 6)]
    assert deleted_number in gaps[0].reason and "удалено" in gaps[0].reason
    assert "неизвестна" in gaps[1].reason

    client.force_login(world["office"])
    html = client.get("/control/journals/").content.decode()
    assert html.count('data-testid="gap-row"') == 2 and "5–6" in html
    response = client.get("/control/journals/?export=gaps")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd")


def test_a_failed_registration_burns_no_number(world):
    _letters(world, 1)
    with pytest.raises(ValueError):
        register(
            world["office"],
            entity=world["entity"],
            counterparty=world["tenant"],
            files=["not a stored file"],  # the registration fails after taking its number
        )
    _letters(world, 1)
    assert not [g for g in numbering_gaps() if g.journal.direction == "incoming"]


def test_the_journal_of_a_period_prints_as_a_pdf_with_the_usual_columns(client, world):
    letters = _letters(world, 3)
    client.force_login(world["office"])
    today = timezone.localdate().isoformat()
    response = client.get(
        f"/control/journals/?journal={letters[0].journal_id}&date_from={today}&date_to={today}"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and b"/Type /Page" in response.content
    # the rows the PDF prints: number, date, from, summary, executor, mark of execution
    rows = journal_rows(
        letters[0].journal, date_from=timezone.localdate(), date_to=timezone.localdate()
    )
    assert [r.number for r in rows] == [letter.reg_number for letter in letters]
    assert rows[1].party == "ООО «Северный ветер»"
    assert rows[1].summary == "Письмо 2. Содержание 2"
    assert rows[1].executor == world["seller"].get_full_name()
    assert rows[1].execution
    # a period before the letters holds none of them
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert journal_rows(letters[0].journal, date_from=yesterday, date_to=yesterday) == []


def test_journals_are_for_the_registry_and_management_only(client, world):
    client.force_login(world["seller"])
    assert client.get("/control/journals/").status_code == 404
    client.force_login(world["gendir"])
    assert client.get("/control/journals/").status_code == 200
