"""Route rules: data, edited in the admin, chosen by the counterparty category."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm.models import CounterpartyCategory


class StepRole(models.TextChoices):
    GENERAL_DIRECTOR = "general_director", _("Генеральный директор")
    DIRECTOR = "director", _("Директор юрлица-адресата")
    LAWYER = "lawyer", _("Юрист")
    RESPONSIBLE = "responsible", _("Ответственный исполнитель")
    DEPARTMENT_HEAD = "department_head", _("Руководитель подразделения-адресата")


class StepMode(models.TextChoices):
    SEQUENTIAL = "sequential", _("После предыдущего шага")
    PARALLEL = "parallel", _("Вместе с предыдущим шагом")


class ReviewWithExecution(models.TextChoices):
    """What a review running in parallel with the executor (the director beside the executor in
    the tenant route) means for the letter."""

    INFORMATIONAL = "informational", _("Для сведения: не задерживает исполнение письма")
    MANDATORY = "mandatory", _("Обязательно: письмо исполнено только после рассмотрения")


class RouteRule(models.Model):
    name = models.CharField(_("название"), max_length=255)
    category = models.CharField(
        _("категория контрагента"),
        max_length=16,
        choices=CounterpartyCategory.choices,
        unique=True,
    )
    reminder_working_days = models.PositiveSmallIntegerField(
        _("напоминание за (рабочих дней до срока)"),
        default=2,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
    )
    # «Для сведения» by default: in a СЭД a person put beside the executor is informed
    # (ознакомление), not a gate. Routine tenant letters are then closed by the executor as soon as
    # the work is done; the reviewer's task stays open until she reads it, and her objection still
    # reaches the executor and the registrar. A company that wants the director to hold every
    # letter chooses «обязательно».
    review_with_execution = models.CharField(
        _("рассмотрение вместе с исполнением"),
        max_length=16,
        choices=ReviewWithExecution.choices,
        default=ReviewWithExecution.INFORMATIONAL,
        help_text=_(
            "Для участников, рассматривающих письмо одновременно с ответственным исполнителем "
            "(шаги «вместе с предыдущим» рядом с исполнителем)."
        ),
    )
    control_working_days = models.PositiveSmallIntegerField(
        _("контрольный срок по умолчанию (рабочих дней)"),
        null=True,
        blank=True,
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(250)],
        help_text=_(
            "Предлагается при регистрации: от её дня по производственному календарю; "
            "регистратор может изменить. Пусто — не предлагать."
        ),
    )
    is_active = models.BooleanField(_("действует"), default=True)

    class Meta:
        verbose_name = _("маршрут входящих")
        verbose_name_plural = _("маршруты входящих")
        ordering = ["category"]

    def __str__(self) -> str:
        return self.name

    def plan(self) -> list[list[str]]:
        """Steps grouped into stages: a parallel step joins the stage of the step before it."""
        stages: list[list[str]] = []
        for step in self.steps.all():
            if stages and step.mode == StepMode.PARALLEL:
                stages[-1].append(step.role)
            else:
                stages.append([step.role])
        return stages


class RouteStep(models.Model):
    rule = models.ForeignKey(RouteRule, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)
    role = models.CharField(_("участник"), max_length=20, choices=StepRole.choices)
    mode = models.CharField(
        _("выполнение"), max_length=12, choices=StepMode.choices, default=StepMode.SEQUENTIAL
    )

    class Meta:
        verbose_name = _("шаг маршрута")
        verbose_name_plural = _("шаги маршрута")
        ordering = ["rule", "order", "id"]

    def __str__(self) -> str:
        return f"{self.order}. {self.get_role_display()}"


DEFAULT_PLAN = [[StepRole.RESPONSIBLE.value]]
