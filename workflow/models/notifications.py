from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("получатель"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    text = models.CharField(_("текст"), max_length=500)
    url = models.CharField(_("ссылка"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("создано"), default=timezone.now)
    read_at = models.DateTimeField(_("прочитано"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("отправлено по почте"), null=True, blank=True)

    class Meta:
        verbose_name = _("уведомление")
        verbose_name_plural = _("уведомления")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
        ]

    def __str__(self) -> str:
        return self.text
