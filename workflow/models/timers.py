from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Timer(models.Model):
    """A durable wake-up: at ``due_at`` the sweep fires the handler registered for ``kind``.

    Written in the same transaction as the state that needs it, so a deadline is never lost and
    never set for a change that rolled back.
    """

    kind = models.CharField(_("вид"), max_length=64)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    due_at = models.DateTimeField(_("срабатывает"))
    payload = models.JSONField(_("параметры"), default=dict, blank=True)
    created_at = models.DateTimeField(_("создан"), default=timezone.now)
    fired_at = models.DateTimeField(_("сработал"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("отменён"), null=True, blank=True)
    failed_at = models.DateTimeField(_("ошибка (попытки исчерпаны)"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("неудачных попыток"), default=0)
    last_error = models.TextField(_("последняя ошибка"), blank=True)

    class Meta:
        verbose_name = _("таймер")
        verbose_name_plural = _("таймеры")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=Q(
                    fired_at__isnull=True, cancelled_at__isnull=True, failed_at__isnull=True
                ),
                name="timer_pending_due",
            ),
            models.Index(fields=["content_type", "object_id"], name="timer_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_pending(self) -> bool:
        return self.fired_at is None and self.cancelled_at is None and self.failed_at is None
