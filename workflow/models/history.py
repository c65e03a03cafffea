from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class HistoryAction(models.TextChoices):
    CREATED = "created", _("Создание")
    TRANSITION = "transition", _("Смена состояния")
    DECISION = "decision", _("Решение")
    COMMENT = "comment", _("Комментарий")
    ASSIGNMENT = "assignment", _("Назначение")
    REMINDER = "reminder", _("Напоминание")
    ESCALATION = "escalation", _("Эскалация")
    TASK = "task", _("Задание")


# task bookkeeping: shown under «Все события», hidden from the document's history by default
BOOKKEEPING_ACTIONS = (HistoryAction.TASK, HistoryAction.REMINDER, HistoryAction.ESCALATION)


class HistoryEntry(models.Model):
    """Append-only log of who did what and when on a document; a database trigger (see the
    migration) refuses UPDATE and DELETE so the timeline can be trusted in a dispute."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("действие"), max_length=16, choices=HistoryAction.choices)
    description = models.CharField(_("что произошло"), max_length=500)
    from_state = models.CharField(_("из состояния"), max_length=32, blank=True)
    to_state = models.CharField(_("в состояние"), max_length=32, blank=True)
    comment = models.TextField(_("комментарий"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("когда"), default=timezone.now)

    class Meta:
        verbose_name = _("запись истории")
        verbose_name_plural = _("история")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "created_at"], name="history_subject")
        ]

    def __str__(self) -> str:
        return self.description
