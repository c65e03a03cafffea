import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.models.companies import Counterparty


class EventKind(models.TextChoices):
    CALL = "call", _("Звонок")
    MEETING = "meeting", _("Встреча")
    STEP = "step", _("Этап работы")
    OTHER = "other", _("Другое")


class CalendarEvent(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("владелец"),
        on_delete=models.CASCADE,
        related_name="crm_events",
    )
    title = models.CharField(_("название"), max_length=255)
    kind = models.CharField(_("вид"), max_length=16, choices=EventKind.choices)
    starts_at = models.DateTimeField(_("начало"))
    ends_at = models.DateTimeField(_("окончание"))
    company = models.ForeignKey(
        Counterparty,
        verbose_name=_("компания"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
    )
    description = models.TextField(_("описание"), blank=True)
    # manual events are the owner's own (editable); the others come from the client process
    manual = models.BooleanField(_("создано вручную"), default=False)
    reminder_minutes = models.PositiveIntegerField(_("напомнить за, минут"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("напоминание отправлено"), null=True, blank=True)

    class Meta:
        verbose_name = _("событие календаря")
        verbose_name_plural = _("события календаря")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["owner", "starts_at"], name="event_owner_start")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="event_ends_after_start",
                violation_error_message=_("Событие не может закончиться раньше, чем началось."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def process_ended(self) -> bool:
        """An event of the client process whose company refused: kept as history, marked, and
        neither reminded nor shown as busy in calendar apps (needs ``company`` loaded)."""
        from crm.models.companies import ProcessingStatus

        return (
            not self.manual
            and self.company is not None
            and self.company.status == ProcessingStatus.REFUSED
        )


def new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeedToken(models.Model):
    """The secret of a user's iCalendar subscription URL; regenerate it to revoke old links."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("пользователь"),
        on_delete=models.CASCADE,
        related_name="crm_feed_token",
    )
    token = models.CharField(_("ключ"), max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(_("создан"), auto_now=True)

    class Meta:
        verbose_name = _("ссылка на календарь")
        verbose_name_plural = _("ссылки на календари")

    def __str__(self) -> str:
        return str(self.user)
