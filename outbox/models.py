"""The email outbox: one row per message, written in the business transaction that wants the
email and sent later by a job (``outbox.jobs.outbox_flush``).

The outbox knows no document type: a message points at the document it belongs to through a
generic relation, so a card can show its delivery status and a reply can be matched to it by
its Message-ID."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("ожидает")
    SENDING = "sending", _("отправляется")
    SENT = "sent", _("отправлено")
    FAILED = "failed", _("ошибка")


class OutboxMessage(models.Model):
    # RFC 5322 "<unique@domain>", generated once when the row is created and sent as is on every
    # attempt: a duplicate delivery is recognisable, and a reply's In-Reply-To finds this row.
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True, editable=False)
    from_email = models.CharField(_("от кого"), max_length=320)
    to = ArrayField(models.CharField(max_length=320), verbose_name=_("кому"))
    subject = models.CharField(_("тема"), max_length=998)
    body = models.TextField(_("текст"))
    html_body = models.TextField(_("HTML-версия"), blank=True)
    # extra headers (In-Reply-To, References, Reply-To), never Message-ID, From or To
    headers = models.JSONField(_("дополнительные заголовки"), default=dict, blank=True)
    status = models.CharField(
        _("состояние"), max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("попыток"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("попыток не больше"), default=6)
    next_attempt_at = models.DateTimeField(_("следующая попытка"), default=timezone.now)
    last_error = models.TextField(_("последняя ошибка"), blank=True)
    created_at = models.DateTimeField(_("создано"), default=timezone.now)
    sent_at = models.DateTimeField(_("принято почтовым сервером"), null=True, blank=True)
    # set by the job that claimed the row; a stale claim means that job died (see jobs.py)
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    attempt_started_at = models.DateTimeField(null=True, blank=True, editable=False)
    # the document's delivery hooks ran for the current state (see outbox.registry)
    reported_at = models.DateTimeField(null=True, blank=True, editable=False)
    document_type = models.ForeignKey(
        ContentType,
        verbose_name=_("тип документа"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    document_id = models.PositiveBigIntegerField(_("документ"), null=True, blank=True)
    document = GenericForeignKey("document_type", "document_id")

    class Meta:
        verbose_name = _("исходящее сообщение")
        verbose_name_plural = _("исходящие сообщения")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status="pending"),
                name="outbox_due",
            ),
            models.Index(
                fields=["claimed_at"], condition=Q(status="sending"), name="outbox_claimed"
            ),
            models.Index(
                fields=["id"],
                condition=Q(status__in=["sent", "failed"], reported_at__isnull=True),
                name="outbox_unreported",
            ),
            models.Index(fields=["document_type", "document_id"], name="outbox_document"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"

    @property
    def is_queued(self) -> bool:
        return self.status in (OutboxStatus.PENDING, OutboxStatus.SENDING)


class OutboxAttachment(models.Model):
    message = models.ForeignKey(
        OutboxMessage, on_delete=models.CASCADE, related_name="attachment_links"
    )
    # storage imports no document app, so the outbox may point at its files directly; PROTECT
    # keeps a file while a message that carries it exists
    stored_file = models.ForeignKey(
        "storage.StoredFile",
        verbose_name=_("файл"),
        on_delete=models.PROTECT,
        related_name="outbox_links",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("вложение")
        verbose_name_plural = _("вложения")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["message", "stored_file"], name="outbox_attachment_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.stored_file_id)
