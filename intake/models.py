"""Intake mailboxes and the items their messages become.

Intake knows no document type: an item is registered as "some document" through a generic link,
and the document app decides what registering means.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from argo_docs.reversing import pk_url


class Security(models.TextChoices):
    SSL = "ssl", _("SSL/TLS (обычно порт 993)")
    STARTTLS = "starttls", _("STARTTLS (обычно порт 143)")
    NONE = "none", _("Без шифрования (только внутри сети)")


class AfterProcessing(models.TextChoices):
    FLAG = "flag", _("Пометить флагом")
    MOVE = "move", _("Переместить в папку")


DEFAULT_PORTS = {Security.SSL: 993, Security.STARTTLS: 143, Security.NONE: 143}


class Mailbox(models.Model):
    """One IMAP mailbox (folder) polled every minute; its messages become intake items."""

    name = models.CharField(_("название"), max_length=100, unique=True)
    is_active = models.BooleanField(_("опрашивать"), default=True)
    host = models.CharField(_("IMAP-сервер"), max_length=255)
    port = models.PositiveIntegerField(_("порт"), default=993)
    security = models.CharField(
        _("шифрование"), max_length=10, choices=Security.choices, default=Security.SSL
    )
    username = models.CharField(_("логин"), max_length=255)
    password_env = models.CharField(
        _("переменная окружения с паролем"),
        max_length=100,
        blank=True,
        help_text=_(
            "Имя переменной окружения сервера, где лежит пароль (например "
            "ARGO_INTAKE_PASSWORD). Если не указано, используется пароль, сохранённый "
            "в зашифрованном виде."
        ),
    )
    # Fernet token (intake.passwords); never shown anywhere
    password_encrypted = models.TextField(_("пароль (зашифрован)"), blank=True, editable=False)
    folder = models.CharField(_("папка"), max_length=255, default="INBOX")
    after_processing = models.CharField(
        _("после обработки"),
        max_length=10,
        choices=AfterProcessing.choices,
        default=AfterProcessing.FLAG,
    )
    processed_flag = models.CharField(
        _("флаг обработанного"),
        max_length=64,
        default="$ArgoProcessed",
        help_text=_(
            "Своя метка IMAP (например $ArgoProcessed) или системный флаг \\Seen, "
            "если сервер не поддерживает свои метки."
        ),
    )
    processed_folder = models.CharField(
        _("папка для обработанных"), max_length=255, default="Обработано", blank=True
    )
    accept_since = models.DateField(
        _("принимать письма с"),
        null=True,
        blank=True,
        help_text=_("Более старые письма ящика остаются на сервере; пусто — принимать все."),
    )
    default_legal_entity = models.ForeignKey(
        "workflow.LegalEntity",
        verbose_name=_("юрлицо-адресат по умолчанию"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("создан"), default=timezone.now)
    # polling state, written by the poller only
    last_poll_at = models.DateTimeField(_("последний опрос"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("последний успешный опрос"), null=True, blank=True)
    last_error = models.TextField(_("ошибка"), blank=True)
    error_since = models.DateTimeField(_("ошибка с"), null=True, blank=True)
    failure_count = models.PositiveIntegerField(_("неудачных попыток подряд"), default=0)
    next_attempt_at = models.DateTimeField(_("следующая попытка"), null=True, blank=True)
    error_notified_at = models.DateTimeField(_("администратор уведомлён"), null=True, blank=True)

    class Meta:
        verbose_name = _("почтовый ящик")
        verbose_name_plural = _("почтовые ящики")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(port__gte=1, port__lte=65535),
                name="intake_mailbox_port_range",
                violation_error_message=_("Порт должен быть числом от 1 до 65535."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.after_processing == AfterProcessing.MOVE:
            folder = (self.processed_folder or "").strip()
            if not folder:
                errors["processed_folder"] = _("Укажите папку, куда перемещать обработанные.")
            elif folder == (self.folder or "").strip():
                errors["processed_folder"] = _("Папка для обработанных совпадает с опрашиваемой.")
        if self.after_processing == AfterProcessing.FLAG and not _valid_flag(self.processed_flag):
            errors["processed_flag"] = _(
                "Флаг — одно слово латиницей без пробелов и скобок, например $ArgoProcessed "
                "или \\Seen."
            )
        if self.password_env and not _valid_env_name(self.password_env):
            errors["password_env"] = _(
                "Имя переменной: латинские буквы, цифры и подчёркивание, например "
                "ARGO_INTAKE_PASSWORD."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_failing(self) -> bool:
        return bool(self.last_error)


def _valid_flag(flag: str) -> bool:
    flag = (flag or "").strip()
    body = flag[1:] if flag[:1] in "\\$" else flag
    return bool(body) and body.isascii() and all(ch.isalnum() or ch in "_-." for ch in body)


def _valid_env_name(name: str) -> bool:
    return name.isascii() and name.replace("_", "a").isalnum() and not name[0].isdigit()


class ItemStatus(models.TextChoices):
    NEW = "new", _("Новое")
    REGISTERED = "registered", _("Зарегистрировано")
    DISMISSED = "dismissed", _("Не корреспонденция")


class IntakeItem(models.Model):
    """One message taken from a mailbox: what the office manager sorts."""

    mailbox = models.ForeignKey(
        Mailbox, verbose_name=_("ящик"), on_delete=models.PROTECT, related_name="items"
    )
    uid_validity = models.BigIntegerField(_("UIDVALIDITY папки"))
    uid = models.BigIntegerField(_("UID"))
    message_id = models.CharField(_("Message-ID"), max_length=500)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=500, blank=True)
    references = ArrayField(
        models.CharField(max_length=500), verbose_name=_("References"), default=list, blank=True
    )
    sender_email = models.CharField(_("адрес отправителя"), max_length=254, blank=True)
    sender_domain = models.CharField(_("домен отправителя"), max_length=254, blank=True)
    sender_name = models.CharField(_("имя отправителя"), max_length=255, blank=True)
    subject = models.CharField(_("тема"), max_length=998, blank=True)
    sent_at = models.DateTimeField(_("дата письма"), null=True, blank=True)
    received_at = models.DateTimeField(_("получено"), default=timezone.now)
    body_text = models.TextField(_("текст"), blank=True)
    body_from_html = models.BooleanField(_("текст получен из HTML"), default=False)
    status = FSMField(
        _("состояние"),
        max_length=12,
        choices=ItemStatus.choices,
        default=ItemStatus.NEW,
        protected=True,
    )
    created_at = models.DateTimeField(_("принято"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("разобрал"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("разобрано"), null=True, blank=True)
    # the document this message was registered as (intake knows no document type)
    document_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    document_id = models.PositiveBigIntegerField(null=True, blank=True)
    document = GenericForeignKey("document_type", "document_id")

    class Meta:
        verbose_name = _("входящее сообщение")
        verbose_name_plural = _("входящие сообщения")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uid_validity", "uid"], name="intake_item_unique_uid"
            ),
            models.UniqueConstraint(fields=["message_id"], name="intake_item_unique_message_id"),
            models.CheckConstraint(
                condition=Q(status=ItemStatus.REGISTERED, document_id__isnull=False)
                | ~Q(status=ItemStatus.REGISTERED),
                name="intake_item_registered_has_document",
            ),
        ]
        indexes = [
            # the queue and the navigation counter read only open items
            models.Index(
                fields=["-received_at", "-id"],
                condition=Q(status="new"),
                name="intake_item_open",
            ),
            models.Index(fields=["status", "-decided_at"], name="intake_item_decided"),
            # "who registered letters from this address / domain before"
            models.Index(
                fields=["sender_email", "-decided_at"],
                condition=Q(status="registered"),
                name="intake_item_sender",
            ),
            models.Index(
                fields=["sender_domain", "-decided_at"],
                condition=Q(status="registered"),
                name="intake_item_domain",
            ),
            models.Index(fields=["document_type", "document_id"], name="intake_item_document"),
        ]

    def __str__(self) -> str:
        return self.subject or str(_("(без темы)"))

    def get_absolute_url(self) -> str:
        return pk_url("correspondence:mail-item", self.pk)

    @property
    def reply_ids(self) -> list[str]:
        """Message-IDs this message answers: In-Reply-To first, then References newest first."""
        ids = [self.in_reply_to] if self.in_reply_to else []
        ids += [ref for ref in reversed(self.references) if ref not in ids]
        return ids

    # --- transitions: they only set fields ------------------------------------------------------

    @transition(field=status, source=ItemStatus.NEW, target=ItemStatus.REGISTERED)
    def register(self, *, document, by) -> None:
        self.document_type = ContentType.objects.get_for_model(document)
        self.document_id = document.pk
        self.decided_by = by
        self.decided_at = timezone.now()

    @transition(field=status, source=ItemStatus.NEW, target=ItemStatus.DISMISSED)
    def dismiss(self, *, by) -> None:
        self.decided_by = by
        self.decided_at = timezone.now()

    @transition(field=status, source=ItemStatus.DISMISSED, target=ItemStatus.NEW)
    def restore(self) -> None:
        self.decided_by = None
        self.decided_at = None


class IntakeAttachment(models.Model):
    """A file of a message: stored (passed the upload checks) or refused with the reason."""

    item = models.ForeignKey(
        IntakeItem,
        verbose_name=_("сообщение"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    position = models.PositiveSmallIntegerField(_("номер"), default=0)
    filename = models.CharField(_("имя файла"), max_length=255)
    size = models.PositiveBigIntegerField(_("размер, байт"), default=0)
    stored_file = models.ForeignKey(
        "storage.StoredFile",
        verbose_name=_("файл"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intake_attachments",
    )
    refused_reason = models.CharField(_("почему не принят"), max_length=500, blank=True)
    # the message's own text kept as a file, so a letter without attachments has its document
    is_body = models.BooleanField(_("текст письма"), default=False)

    class Meta:
        verbose_name = _("вложение")
        verbose_name_plural = _("вложения")
        ordering = ["item", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stored_file__isnull=False, refused_reason="")
                | Q(stored_file__isnull=True) & ~Q(refused_reason=""),
                name="intake_attachment_stored_or_refused",
            ),
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def refused(self) -> bool:
        return self.stored_file_id is None
