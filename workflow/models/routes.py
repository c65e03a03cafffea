"""The route engine's data: one route per document, run in rounds; a round is a sequence of stages;
a stage is a group of steps that run in parallel under a completion rule (all, any, quorum of N);
a step is one participant's task. The engine knows no document type: a route points at its
document generically and names the registered document type by code."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Deferrable, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workflow.routes.registry import document_type_choices


class StepKind(models.TextChoices):
    APPROVE = "approve", _("Согласование")
    SIGN = "sign", _("Подписание")
    REVIEW = "review", _("Рассмотрение")
    EXECUTE = "execute", _("Исполнение")
    ACKNOWLEDGE = "acknowledge", _("Ознакомление")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Согласовано")
    SIGN = "sign", _("Подписано")
    REVIEW = "review", _("Рассмотрено")
    OBJECT = "object", _("Рассмотрено, есть возражения")
    DONE = "done", _("Исполнено")
    ACKNOWLEDGE = "acknowledge", _("Ознакомлен(а)")
    RETURN = "return", _("Возвращено на доработку")
    REJECT = "reject", _("Отклонено")


# decisions that move a stage forward; RETURN ends the round, REJECT ends the route
POSITIVE = frozenset(
    {
        Decision.APPROVE,
        Decision.SIGN,
        Decision.REVIEW,
        Decision.OBJECT,
        Decision.DONE,
        Decision.ACKNOWLEDGE,
    }
)
# what each kind of step may decide besides returning or rejecting (stage flags allow those)
KIND_DECISIONS = {
    StepKind.APPROVE: [Decision.APPROVE],
    StepKind.SIGN: [Decision.SIGN],
    StepKind.REVIEW: [Decision.REVIEW, Decision.OBJECT],
    StepKind.EXECUTE: [Decision.DONE],
    StepKind.ACKNOWLEDGE: [Decision.ACKNOWLEDGE],
}
# decisions that need a comment saying why
NEEDS_COMMENT = frozenset({Decision.RETURN, Decision.REJECT, Decision.OBJECT})


class CompletionRule(models.TextChoices):
    ALL = "all", _("Все участники")
    ANY = "any", _("Любой из участников")
    QUORUM = "quorum", _("Кворум")


class RestartFrom(models.TextChoices):
    FIRST = "first", _("С первого этапа")
    RETURNING = "returning", _("С этапа, на котором вернули")


class OverCap(models.TextChoices):
    REFUSE = "refuse", _("Не отправлять, сообщить автору")
    WARN = "warn", _("Отправить с предупреждением на карточке")


class RouteStatus(models.TextChoices):
    RUNNING = "running", _("Идёт")
    RETURNED = "returned", _("Возвращён на доработку")
    DONE = "done", _("Завершён")
    REJECTED = "rejected", _("Отклонён")
    WITHDRAWN = "withdrawn", _("Отозван")


class StageStatus(models.TextChoices):
    WAITING = "waiting", _("Ожидает")
    ACTIVE = "active", _("Идёт")
    DONE = "done", _("Пройден")
    CANCELLED = "cancelled", _("Прерван")


class StepStatus(models.TextChoices):
    WAITING = "waiting", _("Ожидает очереди")
    PENDING = "pending", _("В работе")
    DECIDED = "decided", _("Решение принято")
    SKIPPED = "skipped", _("Пропущен")
    CANCELLED = "cancelled", _("Не потребовалось")


class RouteSettings(models.Model):
    """Per document type: the participant cap, what a resubmission restarts from, and how long the
    author has to revise. Absent rows mean the document type's defaults."""

    document_type = models.CharField(
        _("вид документа"), max_length=64, unique=True, choices=document_type_choices
    )
    participant_cap = models.PositiveSmallIntegerField(
        _("не более участников в маршруте"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    over_cap = models.CharField(
        _("если участников больше"), max_length=8, choices=OverCap.choices, default=OverCap.REFUSE
    )
    restart_from = models.CharField(
        _("повторная отправка начинается"),
        max_length=12,
        choices=RestartFrom.choices,
        default=RestartFrom.FIRST,
    )
    revision_working_days = models.PositiveSmallIntegerField(
        _("срок доработки, рабочих дней"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )

    class Meta:
        verbose_name = _("настройки маршрутов")
        verbose_name_plural = _("настройки маршрутов")
        ordering = ["document_type"]

    def __str__(self) -> str:
        return self.get_document_type_display()


class Route(models.Model):
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    document_type = models.CharField(_("вид документа"), max_length=64)
    status = models.CharField(
        _("состояние"), max_length=12, choices=RouteStatus.choices, default=RouteStatus.RUNNING
    )
    round = models.PositiveSmallIntegerField(_("круг"), default=1)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("автор"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    warning = models.CharField(_("предупреждение"), max_length=255, blank=True)
    started_at = models.DateTimeField(_("начат"), default=timezone.now)
    finished_at = models.DateTimeField(_("завершён"), null=True, blank=True)

    class Meta:
        verbose_name = _("маршрут")
        verbose_name_plural = _("маршруты")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id"], name="route_one_per_doc")
        ]
        # reports by document type (the contracts KPI) read one type's routes among all
        indexes = [models.Index(fields=["document_type"], name="route_document_type")]

    def __str__(self) -> str:
        return f"{self.document_type} #{self.object_id}"

    @property
    def is_running(self) -> bool:
        return self.status == RouteStatus.RUNNING


class RoundOutcome(models.TextChoices):
    RUNNING = "running", _("Идёт")
    APPROVED = "approved", _("Пройден")
    RETURNED = "returned", _("Возвращён на доработку")
    REJECTED = "rejected", _("Отклонён")
    WITHDRAWN = "withdrawn", _("Отозван")


class RouteRound(models.Model):
    """One pass through the route. The author's revision note («что исправлено») opens it."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("круг"))
    started_at = models.DateTimeField(_("начат"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("отправил"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("что исправлено"), blank=True)
    outcome = models.CharField(
        _("итог"), max_length=12, choices=RoundOutcome.choices, default=RoundOutcome.RUNNING
    )
    ended_at = models.DateTimeField(_("завершён"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кем завершён"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    end_comment = models.TextField(_("комментарий"), blank=True)
    first_stage = models.PositiveSmallIntegerField(
        _("начат с этапа"),
        default=0,
        help_text=_(
            "Порядковый номер этапа, с которого начат круг (при повторе с места возврата)."
        ),
    )

    class Meta:
        verbose_name = _("круг маршрута")
        verbose_name_plural = _("круги маршрута")
        ordering = ["route", "number"]
        constraints = [
            models.UniqueConstraint(fields=["route", "number"], name="route_round_unique")
        ]

    def __str__(self) -> str:
        return f"{self.route_id}/{self.number}"


class RouteStage(models.Model):
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="stages")
    round = models.PositiveSmallIntegerField(_("круг"))
    order = models.PositiveSmallIntegerField(_("порядок"))
    name = models.CharField(_("этап"), max_length=255)
    # the document type's own code for the stage ("preparation", "invoice_signing"...): its hooks
    # use it to move the document's state; the engine never interprets it
    phase = models.CharField(_("фаза"), max_length=32, blank=True)
    rule = models.CharField(
        _("завершается"), max_length=8, choices=CompletionRule.choices, default=CompletionRule.ALL
    )
    quorum = models.PositiveSmallIntegerField(_("кворум"), null=True, blank=True)
    allow_return = models.BooleanField(_("можно вернуть на доработку"), default=True)
    allow_reject = models.BooleanField(_("можно отклонить"), default=False)
    status = models.CharField(
        _("состояние"), max_length=12, choices=StageStatus.choices, default=StageStatus.WAITING
    )
    started_at = models.DateTimeField(_("начат"), null=True, blank=True)
    completed_at = models.DateTimeField(_("завершён"), null=True, blank=True)

    class Meta:
        verbose_name = _("этап маршрута")
        verbose_name_plural = _("этапы маршрута")
        ordering = ["route", "round", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["route", "round", "order"],
                name="route_stage_order",
                deferrable=Deferrable.DEFERRED,  # inserting a stage shifts the later ones
            ),
            models.CheckConstraint(
                condition=~Q(rule="quorum") | Q(quorum__gte=1), name="route_stage_quorum_set"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def needed(self) -> int | None:
        """How many positive decisions complete the stage (None: every blocking step)."""
        if self.rule == CompletionRule.ANY:
            return 1
        if self.rule == CompletionRule.QUORUM:
            return self.quorum
        return None


class RouteStep(models.Model):
    stage = models.ForeignKey(RouteStage, on_delete=models.CASCADE, related_name="steps")
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="steps")
    # the route's document type, kept by the database (trigger of workflow migration 0011): a
    # document type's decisions and pending steps are read by the step's own indexes, not by
    # walking every route of the type (the contracts' KPI)
    document_type = models.CharField(
        _("вид документа"), max_length=64, default="", db_default="", editable=False
    )
    round = models.PositiveSmallIntegerField(_("круг"))
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)
    kind = models.CharField(_("вид"), max_length=12, choices=StepKind.choices)
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("участник"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="route_steps",
    )
    # a role the document type resolves to a person when the stage starts (e.g. «responsible»)
    role = models.CharField(_("роль"), max_length=32, blank=True)
    reason = models.CharField(_("основание"), max_length=255, blank=True)
    task_kind = models.CharField(_("вид задания"), max_length=64, blank=True)
    blocking = models.BooleanField(
        _("обязателен"),
        default=True,
        help_text=_("Необязательный шаг («для сведения») не задерживает этап и не отменяется."),
    )
    deadline_days = models.PositiveSmallIntegerField(_("срок, рабочих дней"), null=True, blank=True)
    due_at_fixed = models.DateTimeField(_("срок (дата)"), null=True, blank=True)
    remind_days = models.PositiveSmallIntegerField(
        _("напомнить за, рабочих дней"), null=True, blank=True
    )
    status = models.CharField(
        _("состояние"), max_length=12, choices=StepStatus.choices, default=StepStatus.WAITING
    )
    task = models.OneToOneField(
        "workflow.Task",
        verbose_name=_("задание"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="route_step",
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("замещающий"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(_("поступило"), null=True, blank=True)
    decision = models.CharField(_("решение"), max_length=12, choices=Decision.choices, blank=True)
    comment = models.TextField(_("комментарий"), blank=True)
    decided_at = models.DateTimeField(_("дата решения"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("решение принял"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("добавил в ходе маршрута"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("шаг маршрута")
        verbose_name_plural = _("шаги маршрута")
        ordering = ["route", "round", "stage__order", "order", "id"]
        indexes = [
            models.Index(fields=["route", "round"], name="route_step_round"),
            models.Index(fields=["participant", "status"], name="route_step_participant"),
            models.Index(fields=["decided_at"], name="route_step_decided"),
            models.Index(
                fields=["document_type", "decided_at"],
                condition=Q(status="decided"),
                name="route_step_type_decided",
            ),
            models.Index(
                fields=["document_type"],
                condition=Q(status="pending"),
                name="route_step_type_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.participant or self.role}"

    @property
    def due_at(self):
        """The deadline lives on the step's task; before the task exists, the planned date."""
        return self.task.due_at if self.task_id else self.due_at_fixed

    @property
    def acting(self):
        return self.deputy or self.participant

    @property
    def on_time(self) -> bool | None:
        due = self.due_at
        if due is None or self.decided_at is None:
            return None
        return self.decided_at <= due

    @property
    def is_overdue(self) -> bool:
        due = self.due_at
        return self.status == StepStatus.PENDING and due is not None and due < timezone.now()

    @property
    def status_label(self) -> str:
        if self.status == StepStatus.DECIDED and self.decision:
            return self.get_decision_display()
        return self.get_status_display()
