"""The registers' rows (built in Python, ``correspondence.register_html``) as people read them:
the table and the phone's cards show the same letter with its number, date, counterparty, subject
and status; overdue letters are marked; text is escaped and long subjects are cut; the labels
follow the user's language."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from correspondence.models import IncomingLetter, OutgoingLetter
from correspondence.services import outgoing as outgoing_services
from correspondence.testing import build_world, control_in, register

SUBJECT = "<b>Кровля & фасад</b> — " + "очень длинная тема письма " * 6


@pytest.fixture
def world(org):
    return build_world(org)


def _table(html: str) -> str:
    return html[html.index('data-testid="register-table"') : html.index("</tbody>")]


def _cards(html: str) -> str:
    start = html.index('data-testid="register-cards"')
    return html[start : html.index('data-testid="register-table"')]


def test_an_overdue_incoming_letter_in_the_table_and_the_cards(client, world):
    """GIVEN a registered letter whose control date has passed, with markup in its subject
    THEN the table row and the phone card link to the card, show the number, the registration
    date, the counterparty and its category, the escaped subject cut at 90 / 120 characters,
    and mark the letter overdue (red row, red status)."""
    letter = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["government"],
        subject=SUBJECT,
    )
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    IncomingLetter.objects.filter(pk=letter.pk).update(control_date=yesterday)
    client.force_login(world["office"])
    html = client.get(reverse("correspondence:incoming-list")).content.decode()

    table, cards = _table(html), _cards(html)
    row = re.search(r'<tr data-testid="register-row"([^>]*)>(.*?)</tr>', table, re.S)
    assert row.group(1) == ' class="table-danger"'
    cells = row.group(2)
    assert f'href="{letter.get_absolute_url()}">{letter.reg_number}</a>' in cells
    assert timezone.localtime(letter.registered_at).strftime("%d.%m.%Y") in cells
    assert "ГУ МЧС по Санкт-Петербургу" in cells and "Государственный орган" in cells
    assert "&lt;b&gt;Кровля &amp; фасад&lt;/b&gt;" in cells and "<b>" not in cells
    assert "очень длинная тема письма очень длинная тема письма очень длинная…" in cells
    assert yesterday.strftime("%d.%m.%Y") in cells
    assert 'class="badge text-bg-danger" data-testid="letter-status">На рассмотрении<' in cells

    assert f'href="{letter.get_absolute_url()}" class="list-group-item' in cards
    assert "list-group-item-danger" in cards
    assert "очень длинная тема письма очень длинная тема письма очень длинная тем…" in cards
    assert f"срок {yesterday.strftime('%d.%m.%Y')}" in cards


def test_a_letter_on_time_is_not_marked_and_labels_follow_the_language(client, world):
    """GIVEN a letter within its control date and a registrar who chose English THEN its row is
    not red and its status and the counterparty's category read in English."""
    register(world["office"], entity=world["entity"], counterparty=world["government"])
    client.force_login(world["office"])
    client.post(reverse("language-set"), {"language": "en", "next": "/"})
    html = client.get(reverse("correspondence:incoming-list")).content.decode()
    table = _table(html)
    assert '<tr data-testid="register-row">' in table
    assert "table-danger" not in table and "list-group-item-danger" not in _cards(html)
    assert 'class="badge text-bg-warning" data-testid="letter-status">Under review<' in table
    assert "Government body" in table


def test_outgoing_rows_show_a_draft_and_the_counterparty_number(client, world):
    """GIVEN a draft with no control date and a sent letter with the counterparty's incoming
    number THEN the draft reads «черновик» with «—» for the date, and the other shows «вх. N от
    date» in the table and «вх. у контрагента N» on the card."""
    draft = outgoing_services.outgoing_create(
        user=world["seller"],
        legal_entity=world["entity"],
        counterparty=world["tenant"],
        subject="Черновик письма",
    )
    sent = outgoing_services.outgoing_create(
        user=world["seller"],
        legal_entity=world["entity"],
        counterparty=world["government"],
        subject="Ответ на запрос",
        control_date=control_in(3),
    )
    received_on = timezone.localdate() - dt.timedelta(days=2)
    OutgoingLetter.objects.filter(pk=sent.pk).update(
        counterparty_number="17-03/455", counterparty_date=received_on
    )
    client.force_login(world["gendir"])
    html = client.get(reverse("correspondence:outgoing-list")).content.decode()
    table, cards = _table(html), _cards(html)

    draft_row = re.search(
        rf'<tr data-testid="register-row"><td class="text-nowrap"><a href="'
        rf'{draft.get_absolute_url()}">черновик</a>.*?</tr>',
        table,
        re.S,
    ).group(0)
    assert '<td class="text-nowrap small">—</td>' in draft_row
    assert 'data-testid="outgoing-status">Черновик<' in draft_row
    assert f"вх. 17-03/455 от {received_on.strftime('%d.%m.%Y')}" in table
    assert "вх. у контрагента 17-03/455" in cards
