"""Per-user settings of the product itself (not of the org structure): the interface language.

Kept apart from ``workflow.Employee`` so every account, an administrator without an employee
profile included, can keep its choice."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пользователь"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="preference",
    )
    language = models.CharField(
        _("язык интерфейса"), max_length=8, choices=settings.LANGUAGES, default="ru"
    )
    weekly_digest = models.BooleanField(
        _("еженедельная сводка по почте"),
        default=True,
        help_text=_("Руководителям по понедельникам: просроченные и зависшие документы."),
    )

    class Meta:
        verbose_name = _("настройки пользователя")
        verbose_name_plural = _("настройки пользователей")

    def __str__(self) -> str:
        return f"{self.user} ({self.language})"
