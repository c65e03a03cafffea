"""Their number and date from a subject, the subject without reply prefixes, and the Russian
reasons a mailbox cannot be read."""

import datetime as dt
import imaplib

import pytest

from correspondence.services.mail import body_summary, clean_subject, number_and_date


@pytest.mark.parametrize(
    ("subject", "number", "date"),
    [
        ("Уведомление № 77-12/2026 от 30.11.2026", "77-12/2026", dt.date(2026, 11, 30)),
        ("исх.№123 от 01.12.26 о проверке", "123", dt.date(2026, 12, 1)),
        ("Письмо N 15/АБ от 3 декабря 2026 г.", "15/АБ", dt.date(2026, 12, 3)),
        ("О графике № 7-к", "7-к", None),
        ("Счёт №  00456 от 31.02.2026", "00456", None),  # no such day: the date is dropped
        ("Re: ответ на ваш исх. № Исх-12/БЦ/2026 от 01.11.2026", "", None),
        ("Ответ на ваш № 5 от 01.11.2026; наш № 88 от 02.11.2026", "88", dt.date(2026, 11, 2)),
        ("Без номера", "", None),
        ("В 2026 году No. 5 from 01.10.2026", "5", dt.date(2026, 10, 1)),
    ],
)
def test_their_number_and_date(subject, number, date):
    assert number_and_date(subject) == (number, date)


def test_our_own_number_is_not_taken_as_theirs():
    assert number_and_date("Re: № Исх-1/БЦ/2026", ours={"Исх-1/БЦ/2026"}) == ("", None)


@pytest.mark.parametrize(
    ("subject", "clean"),
    [
        ("Re: RE: Fwd: Акт сверки", "Акт сверки"),
        ("Ответ: О продлении", "О продлении"),
        ("Re[2]: Тема", "Тема"),
        ("Пересылка: Счёт", "Счёт"),
        ("Отчёт за ноябрь", "Отчёт за ноябрь"),
    ],
)
def test_reply_prefixes_are_dropped(subject, clean):
    assert clean_subject(subject) == clean


def test_summary_is_one_line_and_bounded():
    assert body_summary("Добрый день!\n\n  Направляем акт.  \n") == "Добрый день! Направляем акт."
    assert len(body_summary("слово " * 500)) == 400


def test_reasons_name_the_problem_without_the_password():
    from intake.imap import describe
    from intake.models import Mailbox

    mailbox = Mailbox(host="imap.example.ru", port=143, username="office", folder="INBOX")
    starttls = describe(imaplib.IMAP4.abort("TLS not supported by server"), mailbox)
    assert starttls == "Сервер imap.example.ru:143 не поддерживает STARTTLS."
    leaked = describe(OSError("login office pass hunter2 refused"), mailbox, password="hunter2")
    assert "hunter2" not in leaked and "***" in leaked
    assert "не найден" in describe(__import__("socket").gaierror("x"), mailbox)
    assert "не ответил вовремя" in describe(TimeoutError(), mailbox)
