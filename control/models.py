"""Settings of the control dashboard (the figures themselves are read from the engine's data)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from workflow.routes.registry import document_type_choices

DEFAULT_STUCK_WORKING_DAYS = 5


class StuckThreshold(models.Model):
    """After how many working days without movement a document of a type counts as stuck."""

    document_type = models.CharField(
        _("вид документа"), max_length=64, unique=True, choices=document_type_choices
    )
    working_days = models.PositiveSmallIntegerField(
        _("без движения, рабочих дней"),
        default=DEFAULT_STUCK_WORKING_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Документ считается зависшим, если он столько рабочих дней у одного человека."),
    )

    class Meta:
        verbose_name = _("порог зависания")
        verbose_name_plural = _("пороги зависания документов")
        ordering = ["document_type"]

    def __str__(self) -> str:
        return f"{self.get_document_type_display()}: {self.working_days}"

    def clean(self) -> None:
        codes = {code for code, _label in document_type_choices()}
        if self.document_type and self.document_type not in codes:
            raise ValidationError({"document_type": _("Неизвестный вид документа.")})


class DigestSent(models.Model):
    """One weekly digest per head and week: the job may run twice, the head gets one email."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("получатель"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    week = models.DateField(_("неделя (понедельник)"))
    sent_at = models.DateTimeField(_("записано в исходящие"), auto_now_add=True)
    overdue = models.PositiveIntegerField(_("просрочено"), default=0)
    stuck = models.PositiveIntegerField(_("без движения"), default=0)

    class Meta:
        verbose_name = _("еженедельная сводка")
        verbose_name_plural = _("еженедельные сводки")
        constraints = [models.UniqueConstraint(fields=["user", "week"], name="digest_once_a_week")]

    def __str__(self) -> str:
        return f"{self.user} {self.week:%d.%m.%Y}"
