"""Letters that arrived by email: guess what the office manager would fill in, and register an
intake item as an incoming letter in one step.

Guesses for a whole page of items take a constant number of queries:
- the counterparty: the sender's address in the CRM (the company's or a contact person's), then
  the counterparty of letters registered from this address before, then the same by the sender's
  domain (never a public mail service);
- «в ответ на»: the Message-ID of our sent email in In-Reply-To/References, else our outgoing
  registration number in the subject;
- their number and date, from the subject or the first lines of the text («№ 77-12/2026 от
  30.11.2026»).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import TransitionNotAllowed

from correspondence.models import IncomingLetter, OutgoingLetter
from correspondence.services.incoming import incoming_register
from crm.models import ContactPerson, Counterparty
from intake.models import IntakeItem, ItemStatus
from intake.parsing import normalize_message_id
from intake.services import already_sorted, item_register
from outbox.models import OutboxMessage
from storage.services import stored_files_create
from workflow.models import HistoryAction
from workflow.services import history_record

# addresses anyone can have: their domain says nothing about the company
PUBLIC_DOMAINS = frozenset(
    [
        "mail.ru",
        "bk.ru",
        "list.ru",
        "inbox.ru",
        "internet.ru",
        "yandex.ru",
        "ya.ru",
        "yandex.com",
        "yandex.by",
        "yandex.kz",
        "narod.ru",
        "rambler.ru",
        "ro.ru",
        "lenta.ru",
        "autorambler.ru",
        "myrambler.ru",
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "yahoo.com",
        "aol.com",
        "mail.com",
        "gmx.com",
        "gmx.de",
        "proton.me",
        "protonmail.com",
        "ukr.net",
        "tut.by",
    ]
)
BY_OUTBOX = gettext_lazy("ответ на наше письмо (по заголовкам)")
BY_NUMBER = gettext_lazy("наш исходящий номер в теме")
BY_ADDRESS = gettext_lazy("адрес отправителя в CRM")
BY_HISTORY = gettext_lazy("по прежним письмам с этого адреса")
BY_DOMAIN = gettext_lazy("домен отправителя")
BY_OUTGOING = gettext_lazy("получатель нашего исходящего")

_TOKEN = re.compile(r"[0-9A-Za-zА-Яа-яЁё]+(?:[-/.\\_][0-9A-Za-zА-Яа-яЁё]+)+|\d+")
_NUMBER = re.compile(
    r"(?:№|N[ºo°]?\.?(?=\s*\d)|No\.?(?=\s*\d))\s*"
    r"(?P<number>[0-9A-Za-zА-Яа-яЁё](?:[0-9A-Za-zА-Яа-яЁё\-/.\\_]*[0-9A-Za-zА-Яа-яЁё])?)"
    r"(?:\s*(?:от|from)\s*(?P<date>\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{1,2}\s+[а-яё]+\s+\d{4}))?",
    re.IGNORECASE,
)
# «в ответ на ваш исх. № …» names our number, not theirs
_OURS_BEFORE = re.compile(r"\bна\s+(?:ваш\w*\s+|наш\w*\s+)?(?:исх\w*\.?\s*)?$", re.IGNORECASE)
# month stems in the genitive and nominative; the longest stem that fits wins («март» before «ма»)
_MONTH_STEMS = sorted(
    {
        stem: number
        for number, stem in enumerate(
            [
                "январ",
                "феврал",
                "март",
                "апрел",
                "ма",
                "июн",
                "июл",
                "август",
                "сентябр",
                "октябр",
                "ноябр",
                "декабр",
            ],
            start=1,
        )
    }.items(),
    key=lambda pair: -len(pair[0]),
)
_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|fwd?|отв|ответ|пересл\w*|пересыл\w*)\s*(?:\[\d+\])?\s*:\s*)+", re.IGNORECASE
)
SUMMARY_CHARS = 400


@dataclass
class MailMatch:
    counterparty: Counterparty | None = None
    counterparty_reason: str = ""
    answers_outgoing: OutgoingLetter | None = None
    answers_reason: str = ""
    sender_number: str = ""
    sender_date: dt.date | None = None


# --- parsing the subject -------------------------------------------------------------------------


def number_and_date(text: str, *, ours: Iterable[str] = ()) -> tuple[str, dt.date | None]:
    """Their outgoing number and date: «исх. № 77-12/2026 от 30.11.2026» → ("77-12/2026", date).
    Numbers that are ours («на ваш № …», or one of ``ours``) are skipped."""
    ours = set(ours)
    for match in _NUMBER.finditer(text or ""):
        number = match.group("number")
        before = text[max(0, match.start() - 25) : match.start()]
        if number in ours or _OURS_BEFORE.search(before):
            continue
        return number[:64], _date(match.group("date"))
    return "", None


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    parts = re.split(r"[./\s]+", text.strip().lower())
    try:
        day, year = int(parts[0]), int(parts[2])
        month = int(parts[1]) if parts[1].isdigit() else _month(parts[1])
        if year < 100:
            year += 2000
        return dt.date(year, month, day)
    except (ValueError, IndexError, TypeError):
        return None


def _month(word: str) -> int:
    for stem, number in _MONTH_STEMS:
        if word.startswith(stem):
            return number
    raise ValueError(word)


def clean_subject(subject: str) -> str:
    """The subject without «Re:», «Fwd:», «Ответ:» prefixes."""
    return _REPLY_PREFIX.sub("", subject or "").strip()


def body_summary(text: str) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    summary = " ".join(lines)
    return summary if len(summary) <= SUMMARY_CHARS else summary[: SUMMARY_CHARS - 1] + "…"


# --- matching ------------------------------------------------------------------------------------


def mail_matches(items: list[IntakeItem]) -> dict[int, MailMatch]:
    """Guesses for ``items``, in a constant number of queries for the whole list."""
    matches = {item.pk: MailMatch() for item in items}
    if not items:
        return matches
    _match_outgoing(items, matches)
    _match_counterparties(items, matches)
    for item in items:
        match = matches[item.pk]
        ours = {match.answers_outgoing.reg_number} if match.answers_outgoing else set()
        number, date = number_and_date(item.subject, ours=ours)
        if not number:
            number, date = number_and_date(item.body_text[:1500], ours=ours)
        received = timezone.localdate(item.received_at)
        match.sender_number = number
        match.sender_date = date if date and date <= received else None
    return matches


def _match_outgoing(items: list[IntakeItem], matches: dict[int, MailMatch]) -> None:
    by_message_id = outgoing_by_message_ids({mid for item in items for mid in item.reply_ids})
    tokens_of = {item.pk: set(_TOKEN.findall(item.subject)) for item in items}
    all_tokens = {t for tokens in tokens_of.values() for t in tokens if not t.isdigit()}
    by_number = {}
    if all_tokens:
        by_number = {
            letter.reg_number: letter
            for letter in OutgoingLetter.objects.filter(reg_number__in=all_tokens).select_related(
                "counterparty"
            )
        }
    for item in items:
        match = matches[item.pk]
        for message_id in item.reply_ids:
            if message_id in by_message_id:
                match.answers_outgoing, match.answers_reason = by_message_id[message_id], BY_OUTBOX
                break
        else:
            found = [by_number[t] for t in tokens_of[item.pk] if t in by_number]
            if found:
                match.answers_outgoing = max(found, key=lambda letter: letter.pk)
                match.answers_reason = BY_NUMBER
        if match.answers_outgoing is not None:
            match.counterparty = match.answers_outgoing.counterparty
            match.counterparty_reason = BY_OUTGOING


def outgoing_by_message_ids(message_ids: set[str]) -> dict[str, OutgoingLetter]:
    """Our letters whose outbox email carried one of ``message_ids`` (bracketless, as intake
    stores them; the outbox keeps the RFC form ``<id@domain>``). One query through the outbox's
    unique Message-ID index, one for the letters."""
    if not message_ids:
        return {}
    rows = list(
        OutboxMessage.objects.filter(
            message_id__in=[f"<{mid}>" for mid in message_ids] + list(message_ids),
            document_type=ContentType.objects.get_for_model(OutgoingLetter),
        ).values_list("message_id", "document_id")
    )
    letters = OutgoingLetter.objects.select_related("counterparty").in_bulk(
        [doc for _mid, doc in rows]
    )
    return {normalize_message_id(mid): letters[doc] for mid, doc in rows if doc in letters}


def _match_counterparties(items: list[IntakeItem], matches: dict[int, MailMatch]) -> None:
    pending = [i for i in items if matches[i.pk].counterparty is None and i.sender_email]
    if not pending:
        return
    emails = {i.sender_email for i in pending}
    domains = {i.sender_domain for i in pending if i.sender_domain not in PUBLIC_DOMAINS}
    by_email = _unique_by(
        [
            *Counterparty.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=emails)
            .values_list("email_lower", "pk"),
            *_contact_emails("lower(e) = ANY(%s)", [sorted(emails)]),
        ]
    )
    history_email = _history("sender_email", emails)
    by_domain: dict[str, int | None] = {}
    history_domain: dict[str, int] = {}
    if domains:
        pattern = r"@(" + "|".join(re.escape(d) for d in sorted(domains)) + r")$"
        by_domain = _unique_by(
            (address.rpartition("@")[2], pk)
            for address, pk in [
                *Counterparty.objects.annotate(email_lower=Lower("email"))
                .filter(email_lower__regex=pattern)
                .values_list("email_lower", "pk"),
                *_contact_emails("lower(e) ~ %s", [pattern]),
            ]
        )
        history_domain = _history("sender_domain", domains)
    chosen: dict[int, tuple[int, str]] = {}
    for item in pending:
        for pk, reason in (
            (by_email.get(item.sender_email), BY_ADDRESS),
            (history_email.get(item.sender_email), BY_HISTORY),
            (by_domain.get(item.sender_domain), BY_DOMAIN),
            (history_domain.get(item.sender_domain), BY_HISTORY),
        ):
            if pk:
                chosen[item.pk] = (pk, reason)
                break
    counterparties = Counterparty.objects.in_bulk({pk for pk, _reason in chosen.values()})
    for item_id, (pk, reason) in chosen.items():
        matches[item_id].counterparty = counterparties.get(pk)
        matches[item_id].counterparty_reason = reason


def _contact_emails(condition: str, params: list) -> list[tuple[str, int]]:
    """(address, company) for the contact persons' addresses that meet ``condition`` on ``e``:
    a letter from the company's accountant names the company as surely as its own address."""
    table = ContactPerson._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT lower(e), company_id FROM {table}, unnest(emails) AS e "
            f"WHERE {condition}",
            params,
        )
        return cursor.fetchall()


def _unique_by(pairs) -> dict[str, int | None]:
    """key → pk when exactly one counterparty has that key; ambiguous keys guess nothing."""
    found: dict[str, set[int]] = {}
    for key, pk in pairs:
        found.setdefault(key, set()).add(pk)
    return {key: next(iter(pks)) for key, pks in found.items() if len(pks) == 1}


def _history(field: str, values: set[str]) -> dict[str, int]:
    """value → counterparty of the latest letter registered from a message with that value."""
    rows = list(
        IntakeItem.objects.filter(
            status=ItemStatus.REGISTERED,
            document_type=ContentType.objects.get_for_model(IncomingLetter),
            **{f"{field}__in": values},
        )
        .order_by(field, "-decided_at")
        .distinct(field)
        .values_list(field, "document_id")
    )
    letters = dict(
        IncomingLetter.objects.filter(pk__in=[doc for _v, doc in rows]).values_list(
            "pk", "counterparty_id"
        )
    )
    return {value: letters[doc] for value, doc in rows if doc in letters}


# --- registering ---------------------------------------------------------------------------------


def mail_item_register(
    *,
    item_id: int,
    user,
    mail_file_ids: Iterable[int] = (),
    files: Iterable = (),
    **register_kwargs,
) -> IncomingLetter:
    """Register the item as an incoming letter and link the item to it, in one transaction.

    ``mail_file_ids``: stored files of this item's message to attach (ids of another message's
    files are ignored); ``files``: the form's uploads and staged files; ``register_kwargs`` as
    for incoming_register. Two people registering the same item at once get one letter: the
    item row is locked and the second is refused."""
    with transaction.atomic():
        item = IntakeItem.objects.select_for_update().get(pk=item_id)
        if item.status != ItemStatus.NEW:
            raise TransitionNotAllowed(already_sorted(item))
        wanted = set(mail_file_ids)
        mail_files = [
            a.stored_file
            for a in item.attachments.filter(stored_file__isnull=False).select_related(
                "stored_file"
            )
            if a.stored_file_id in wanted
        ]
        added = stored_files_create(uploads=files, uploaded_by=user)
        letter = incoming_register(user=user, files=[*mail_files, *added], **register_kwargs)
        item_register(item_id=item.pk, document=letter, user=user)
        history_record(
            subject=letter,
            actor=user,
            action=HistoryAction.CREATED,
            description=_("Поступило по электронной почте от %(sender)s (%(date)s)")
            % {
                "sender": item.sender_email or _("неизвестного отправителя"),
                "date": timezone.localtime(item.received_at).strftime("%d.%m.%Y %H:%M"),
            },
            comment=item.subject,
        )
    return letter
