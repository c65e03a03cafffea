from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models.companies import Counterparty


class CommunicationKind(models.TextChoices):
    CALL = "call", _("Звонок")
    MEETING = "meeting", _("Встреча")
    LETTER = "letter", _("Письмо")
    DEAL = "deal", _("Сделка")
    OTHER = "other", _("Другое")


class Communication(models.Model):
    """One contact with a company: it resets the 90-day contact control."""

    company = models.ForeignKey(
        Counterparty,
        verbose_name=_("компания"),
        on_delete=models.CASCADE,
        related_name="communications",
    )
    kind = models.CharField(_("вид"), max_length=16, choices=CommunicationKind.choices)
    occurred_at = models.DateTimeField(_("когда"), default=timezone.now)
    summary = models.TextField(_("содержание"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("сотрудник"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("коммуникация")
        verbose_name_plural = _("коммуникации")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["company", "-occurred_at"], name="communication_company")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%d.%m.%Y}"


class DealPipeline(models.TextChoices):
    SERVICE = "service", _("Клиентский сервис")


class DealStatus(models.TextChoices):
    OPEN = "open", _("Открыта")
    CLOSED = "closed", _("Закрыта")


class Deal(models.Model):
    company = models.ForeignKey(
        Counterparty, verbose_name=_("компания"), on_delete=models.CASCADE, related_name="deals"
    )
    pipeline = models.CharField(
        _("воронка"), max_length=16, choices=DealPipeline.choices, default=DealPipeline.SERVICE
    )
    title = models.CharField(_("название"), max_length=255)
    status = models.CharField(
        _("состояние"), max_length=8, choices=DealStatus.choices, default=DealStatus.OPEN
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ответственный"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("создана"), default=timezone.now)
    closed_at = models.DateTimeField(_("закрыта"), null=True, blank=True)

    class Meta:
        verbose_name = _("сделка")
        verbose_name_plural = _("сделки")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "pipeline"],
                condition=Q(status="open"),
                name="deal_one_open_per_company_pipeline",
            )
        ]

    def __str__(self) -> str:
        return self.title
