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


class StepFact(models.Model):
    """One decided route step as the dashboard's period figures read it, written once by the
    worker (``control.rollup``): a decided step does not change, so its working-day duration and
    its on-time flag are computed once instead of on every view. The holder's department is not
    kept: scopes join the employee row as it is now, as the live figures do."""

    step = models.OneToOneField(
        "workflow.RouteStep",
        verbose_name=_("шаг маршрута"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("дата решения"))
    document_type = models.CharField(_("вид документа"), max_length=64)
    stage = models.CharField(_("этап"), max_length=255)
    # who decided (or the deputy, or the participant), as the figures attribute a step
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("сотрудник"),
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    # working days from the step's start to its decision; null when it never started
    days = models.FloatField(_("рабочих дней"), null=True)
    # decided by the task's deadline; null without a task or deadline
    on_time = models.BooleanField(_("в срок"), null=True)

    class Meta:
        verbose_name = _("решение по шагу маршрута")
        verbose_name_plural = _("решения по шагам маршрутов")
        indexes = [
            # the whole organisation's period: an index-only range scan
            models.Index(
                fields=["decided_at"],
                include=["document_type", "stage", "person", "days", "on_time"],
                name="step_fact_decided",
            ),
            # a head's scope: the people of their departments, each a range scan
            models.Index(
                fields=["person", "decided_at"],
                include=["document_type", "stage", "days", "on_time"],
                name="step_fact_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_type}: {self.stage} ({self.step_id})"


class RollupState(models.Model):
    """When the worker last brought the rollup up to date (one row); the dashboard shows it."""

    name = models.CharField(max_length=32, unique=True)
    refreshed_at = models.DateTimeField(_("обновлено"))

    class Meta:
        verbose_name = _("состояние сводки")
        verbose_name_plural = _("состояние сводок")

    def __str__(self) -> str:
        return f"{self.name}: {self.refreshed_at:%d.%m.%Y %H:%M}"


class DashboardSnapshot(models.Model):
    """The dashboard's figures of one scope for its default period, taken by the worker after
    each rollup refresh (``control.snapshots``): the page reads one row instead of aggregating
    the organisation's open tasks and the period's decisions on every view."""

    # "all", or the scope's department ids joined by commas
    scope_key = models.TextField(_("область"), unique=True)
    computed_at = models.DateTimeField(_("данные на"))
    date_from = models.DateField(_("период с"))
    date_to = models.DateField(_("период по"))
    payload = models.JSONField(_("показатели"))

    class Meta:
        verbose_name = _("снимок панели контроля")
        verbose_name_plural = _("снимки панели контроля")

    def __str__(self) -> str:
        return f"{self.scope_key}: {self.computed_at:%d.%m.%Y %H:%M}"
