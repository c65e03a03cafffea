from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition


class TaskStatus(models.TextChoices):
    OPEN = "open", _("В работе")
    DONE = "done", _("Выполнено")
    CANCELLED = "cancelled", _("Отменено")


class Task(models.Model):
    """An inbox item: one person has to decide or do something about a document by a deadline.

    The owning app registers the task's ``kind`` (its decision form and the service that completes
    it) with ``workflow.registry``; this model knows no document type.
    """

    kind = models.CharField(_("вид"), max_length=64)
    title = models.CharField(_("задание"), max_length=255)
    description = models.TextField(_("описание"), blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("родительское задание"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subtasks",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("исполнитель"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    original_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("назначено (до замещения)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("автор"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_tasks",
    )
    created_at = models.DateTimeField(_("создано"), default=timezone.now)
    due_at = models.DateTimeField(_("срок"), null=True, blank=True)
    status = FSMField(
        _("состояние"),
        max_length=16,
        choices=TaskStatus.choices,
        default=TaskStatus.OPEN,
        protected=True,
    )
    outcome = models.CharField(_("результат"), max_length=32, blank=True)
    comment = models.TextField(_("комментарий"), blank=True)
    completed_at = models.DateTimeField(_("завершено"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кем завершено"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reminded_at = models.DateTimeField(_("напоминание отправлено"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("эскалировано"), null=True, blank=True)
    # «Отложить до…»: the task leaves its assignee's main list until then; the deadline stays
    snoozed_until = models.DateTimeField(_("отложено до"), null=True, blank=True)

    class Meta:
        verbose_name = _("задание")
        verbose_name_plural = _("задания")
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_at"], name="task_inbox"),
            models.Index(fields=["content_type", "object_id"], name="task_subject"),
            # «Задания подчинённых» and the control lists: open tasks in deadline order
            models.Index(
                fields=["due_at", "id"], condition=Q(status="open"), name="task_open_due_order"
            ),
            # the control dashboard: its figures read only this index (index-only scans over the
            # open tasks), and «без движения» walks it by how long a task is held
            models.Index(
                fields=["created_at"],
                include=["assignee", "content_type", "object_id", "due_at", "id"],
                condition=Q(status="open"),
                name="task_open_created",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == TaskStatus.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < timezone.now()

    @property
    def is_snoozed(self) -> bool:
        return self.snoozed_until is not None and self.snoozed_until > timezone.now()

    @transition(field=status, source=TaskStatus.OPEN, target=TaskStatus.DONE)
    def complete(self, *, by, outcome: str, comment: str = "") -> None:
        self.outcome = outcome
        self.comment = comment
        self.completed_by = by
        self.completed_at = timezone.now()

    @transition(field=status, source=TaskStatus.OPEN, target=TaskStatus.CANCELLED)
    def cancel(self, *, by, reason: str = "") -> None:
        self.comment = reason
        self.completed_by = by
        self.completed_at = timezone.now()
