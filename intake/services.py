"""Every write of the intake: store a message as an item, sort it (registered / not
correspondence / restored), keep the mailbox's health, purge old dismissed items."""

from __future__ import annotations

import datetime as dt
import logging

import rules
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed

from intake.models import IntakeAttachment, IntakeItem, ItemStatus, Mailbox
from intake.parsing import ParsedAttachment, parse_message
from storage.models import StoredFile
from storage.services import stored_file_create
from storage.validation import UploadRejected
from workflow.models import HistoryAction
from workflow.services import history_record, notification_send

logger = logging.getLogger(__name__)

SYSTEM_USERNAME = "mail-intake"
KEEP_DISMISSED_DAYS = 30
NOTIFY_AGAIN_AFTER = dt.timedelta(hours=24)
BACKOFF_MAX_MINUTES = 60

CREATED = "created"
KNOWN = "known"  # this UID was stored before (the mark on the server was lost)
DUPLICATE = "duplicate"  # the same Message-ID came again (another copy, another mailbox)


def intake_user():
    """The uploader of mail attachments: a login-less system account."""
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": _("Входящая почта"), "is_active": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


# --- storing a message ---------------------------------------------------------------------------


UNIQUE_CONSTRAINTS = frozenset({"intake_item_unique_uid", "intake_item_unique_message_id"})


def item_store(
    *,
    mailbox: Mailbox,
    uid_validity: int,
    uid: int,
    raw: bytes,
    received_at: dt.datetime | None = None,
    uploader=None,
) -> tuple[IntakeItem | None, str]:
    """Store one fetched message as an item with its attachments, in one transaction.

    Idempotent: a UID already stored returns KNOWN, a Message-ID already stored (from this or any
    mailbox) returns DUPLICATE; the unique constraints decide when two writers race. A hostile
    or unreadable attachment is refused and listed with the reason, never fatal. ``uploader``:
    the system account, when the caller has it already (a poll stores many messages)."""
    parsed = parse_message(raw)
    try:
        with transaction.atomic():
            seen = list(
                IntakeItem.objects.filter(
                    Q(mailbox=mailbox, uid_validity=uid_validity, uid=uid)
                    | Q(message_id=parsed.message_id)
                ).values_list("mailbox_id", "uid_validity", "uid")[:2]
            )
            if (mailbox.pk, uid_validity, uid) in seen:
                return None, KNOWN
            if seen:
                return None, DUPLICATE
            item = IntakeItem.objects.create(
                mailbox=mailbox,
                uid_validity=uid_validity,
                uid=uid,
                message_id=parsed.message_id,
                in_reply_to=parsed.in_reply_to,
                references=parsed.references,
                sender_email=parsed.sender_email,
                sender_domain=parsed.sender_domain,
                sender_name=parsed.sender_name,
                subject=parsed.subject,
                sent_at=parsed.sent_at,
                received_at=received_at or parsed.sent_at or timezone.now(),
                body_text=parsed.body_text,
                body_from_html=parsed.body_from_html,
            )
            uploader = uploader or intake_user()
            rows = [
                _attachment(item, position, attachment, uploader)
                for position, attachment in enumerate(parsed.attachments, start=1)
            ]
            body = None if any(r.stored_file_id for r in rows) else _body_file(item, uploader)
            IntakeAttachment.objects.bulk_create(([body] if body else []) + rows)
            history_record(
                subject=item,
                action=HistoryAction.CREATED,
                description=_("Письмо принято из ящика «%(mailbox)s» от %(sender)s")
                % {"mailbox": mailbox.name, "sender": parsed.sender_email or _("неизвестного")},
                to_state=item.status,
            )
    except IntegrityError as error:
        # the same message committed by another writer between our check and our insert
        if getattr(getattr(error.__cause__, "diag", None), "constraint_name", "") in (
            UNIQUE_CONSTRAINTS
        ):
            return None, DUPLICATE
        raise
    return item, CREATED


def _attachment(item, position: int, attachment: ParsedAttachment, uploader) -> IntakeAttachment:
    row = IntakeAttachment(
        item=item, position=position, filename=attachment.filename, size=len(attachment.data)
    )
    try:
        row.stored_file = stored_file_create(
            upload=ContentFile(attachment.data, name=attachment.filename), uploaded_by=uploader
        )
    except UploadRejected as rejected:
        row.refused_reason = " ".join(rejected.messages)[:500]
    except OSError:
        raise  # the disk, not the file: the message stays on the server for the next poll
    except Exception:
        # a file that breaks a checker is refused like a hostile one, never the whole message
        logger.exception(
            "attachment %r of intake item %s could not be checked", row.filename, item.pk
        )
        row.refused_reason = _("Файл «%(name)s» не удалось проверить, он не принят.") % {
            "name": attachment.filename
        }
    return row


BODY_FILE_NAME = "Текст письма.txt"


def _body_file(item: IntakeItem, uploader) -> IntakeAttachment | None:
    """The message text as a UTF-8 file, when no attached file was accepted: for a letter sent
    as plain email the text is the document to register."""
    if not item.body_text.strip():
        return None
    when = timezone.localtime(item.sent_at or item.received_at).strftime("%d.%m.%Y %H:%M")
    sender = f"{item.sender_name} <{item.sender_email}>" if item.sender_name else item.sender_email
    text = (
        _("От: %(sender)s\nДата: %(date)s\nТема: %(subject)s")
        % {"sender": sender, "date": when, "subject": item.subject}
        + f"\n\n{item.body_text}\n"
    )
    data = text.encode("utf-8")
    try:
        stored = stored_file_create(
            upload=ContentFile(data, name=BODY_FILE_NAME), uploaded_by=uploader
        )
    except UploadRejected:
        return None  # text that looks like markup: the text stays readable on the item page
    return IntakeAttachment(
        item=item,
        position=0,
        filename=BODY_FILE_NAME,
        size=len(data),
        stored_file=stored,
        is_body=True,
    )


# --- sorting -------------------------------------------------------------------------------------


def _locked_item(item_id: int) -> IntakeItem:
    return IntakeItem.objects.select_for_update().get(pk=item_id)


def _check(user) -> None:
    if not rules.has_perm("intake.process_mail", user):
        raise PermissionDenied(_("Разбирать входящую почту может только секретарь."))


def item_register(*, item_id: int, document, user) -> IntakeItem:
    """Link the item to the document it was registered as. Called inside the document app's
    registration transaction; refuses when someone else already sorted the item."""
    _check(user)
    with transaction.atomic():
        item = _locked_item(item_id)
        if not can_proceed(item.register):
            raise TransitionNotAllowed(already_sorted(item))
        item.register(document=document, by=user)
        item.save()
        history_record(
            subject=item,
            actor=user,
            action=HistoryAction.TRANSITION,
            description=_("Зарегистрировано как документ: %(document)s") % {"document": document},
            from_state=ItemStatus.NEW,
            to_state=item.status,
        )
    return item


def item_dismiss(*, item_id: int, user) -> IntakeItem:
    """«Не корреспонденция»: hidden from the queue, kept KEEP_DISMISSED_DAYS days, restorable."""
    _check(user)
    with transaction.atomic():
        item = _locked_item(item_id)
        if not can_proceed(item.dismiss):
            raise TransitionNotAllowed(already_sorted(item))
        item.dismiss(by=user)
        item.save()
        history_record(
            subject=item,
            actor=user,
            action=HistoryAction.TRANSITION,
            description=_("Отмечено как «Не корреспонденция»"),
            from_state=ItemStatus.NEW,
            to_state=item.status,
        )
    return item


def item_restore(*, item_id: int, user) -> IntakeItem:
    _check(user)
    with transaction.atomic():
        item = _locked_item(item_id)
        if not can_proceed(item.restore):
            raise TransitionNotAllowed(_("Письмо уже не в скрытых."))
        item.restore()
        item.save()
        history_record(
            subject=item,
            actor=user,
            action=HistoryAction.TRANSITION,
            description=_("Возвращено в очередь входящей почты"),
            from_state=ItemStatus.DISMISSED,
            to_state=item.status,
        )
    return item


def already_sorted(item: IntakeItem) -> str:
    if item.status == ItemStatus.REGISTERED:
        return _("Это письмо уже зарегистрировано.")
    if item.status == ItemStatus.DISMISSED:
        return _("Это письмо уже отмечено как «Не корреспонденция».")
    return _("Это письмо уже разобрано.")


def dismissed_items_purge(*, older_than_days: int = KEEP_DISMISSED_DAYS) -> int:
    """Delete items marked «Не корреспонденция» longer ago than ``older_than_days``, with their
    files (the bytes go after the commit). Returns how many items were deleted."""
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    deleted = 0
    ids = list(
        IntakeItem.objects.filter(status=ItemStatus.DISMISSED, decided_at__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    for item_id in ids:
        with transaction.atomic():
            item = (
                IntakeItem.objects.select_for_update()
                .filter(pk=item_id, status=ItemStatus.DISMISSED, decided_at__lt=cutoff)
                .first()
            )
            if item is None:
                continue  # restored meanwhile
            file_ids = list(
                item.attachments.exclude(stored_file=None).values_list("stored_file_id", flat=True)
            )
            item.attachments.all().delete()
            item.delete()
            for stored in StoredFile.objects.filter(pk__in=file_ids):
                name = stored.file.name
                try:
                    with transaction.atomic():
                        stored.delete()
                except ProtectedError:
                    continue  # attached to a document as well: keep it
                transaction.on_commit(lambda name=name: default_storage.delete(name))
            deleted += 1
    return deleted


# --- mailbox health ------------------------------------------------------------------------------


def administrators():
    users = get_user_model().objects.filter(is_active=True)
    admins = list(users.filter(is_superuser=True))
    return admins or list(users.filter(is_staff=True))


def backoff(failures: int) -> dt.timedelta:
    """1, 2, 4 … minutes between attempts, at most an hour."""
    return dt.timedelta(minutes=min(BACKOFF_MAX_MINUTES, 2 ** max(0, failures - 1)))


def mailbox_failure_record(*, mailbox_id: int, error: str) -> Mailbox:
    """Store the error on the mailbox and wait longer before the next attempt; tell the
    administrators at the first failure and once a day while it lasts."""
    with transaction.atomic():
        mailbox = Mailbox.objects.select_for_update().get(pk=mailbox_id)
        now = timezone.now()
        mailbox.failure_count += 1
        mailbox.last_error = error
        mailbox.error_since = mailbox.error_since or now
        mailbox.next_attempt_at = now + backoff(mailbox.failure_count)
        if mailbox.error_notified_at is None or now - mailbox.error_notified_at >= (
            NOTIFY_AGAIN_AFTER
        ):
            for admin in administrators():
                notification_send(
                    recipient=admin,
                    text=_("Почтовый ящик «%(name)s» не читается: %(error)s")
                    % {"name": mailbox.name, "error": error},
                    url=reverse("admin:intake_mailbox_change", args=[mailbox.pk]),
                )
            mailbox.error_notified_at = now
        mailbox.save()
    logger.warning("intake mailbox %s: %s", mailbox.name, error)
    return mailbox


def mailbox_success_record(*, mailbox_id: int) -> Mailbox:
    with transaction.atomic():
        mailbox = Mailbox.objects.select_for_update().get(pk=mailbox_id)
        if mailbox.error_notified_at is not None:
            for admin in administrators():
                notification_send(
                    recipient=admin,
                    text=_("Почтовый ящик «%(name)s» снова читается.") % {"name": mailbox.name},
                    url=reverse("admin:intake_mailbox_change", args=[mailbox.pk]),
                    email=False,
                )
        mailbox.last_success_at = timezone.now()
        mailbox.last_error = ""
        mailbox.error_since = None
        mailbox.failure_count = 0
        mailbox.next_attempt_at = None
        mailbox.error_notified_at = None
        mailbox.save()
    return mailbox


def mailbox_password_set(*, mailbox: Mailbox, password: str) -> None:
    """Keep ``password`` encrypted on the (unsaved or saved) mailbox instance."""
    from intake.passwords import password_encrypt

    mailbox.password_encrypted = password_encrypt(password) if password else ""
