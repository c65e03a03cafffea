"""Every write of the engine. Each service runs in one transaction; callers never touch state."""

from __future__ import annotations

import datetime as dt
import logging

import rules
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed

from outbox.services import outbox_enqueue
from workflow import access, calendar, registry
from workflow.models import (
    Absence,
    HistoryAction,
    HistoryEntry,
    Notification,
    RouteStep,
    Task,
    TaskStatus,
    Timer,
)
from workflow.selectors import acting_for

logger = logging.getLogger(__name__)

TASK_REMINDER = "workflow.task_reminder"
TASK_ESCALATION = "workflow.task_escalation"
INSTRUCTION = "workflow.instruction"
TIMER_MAX_ATTEMPTS = 5


def display_name(user) -> str:
    return user.get_full_name() or user.get_username()


# --- history -------------------------------------------------------------------------------------


def history_record(
    *,
    subject,
    action: str,
    description: str,
    actor=None,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
    data: dict | None = None,
) -> HistoryEntry:
    return HistoryEntry.objects.create(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        actor=actor,
        action=action,
        description=description[:500],
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        data=data or {},
    )


# --- notifications -------------------------------------------------------------------------------


def notification_send(*, recipient, text: str, url: str = "", email: bool = True) -> Notification:
    """In-app notification, and its email written to the outbox in the same transaction (sent
    after the commit; ``emailed_at`` is set when the mail server accepts it)."""
    notification = Notification.objects.create(recipient=recipient, text=text[:500], url=url)
    if email and recipient.email:
        notification_email_enqueue(notification)
    return notification


def notification_email_enqueue(notification: Notification) -> None:
    body = notification.text
    if notification.url:
        body += f"\n\n{settings.SITE_URL}{notification.url}"
    outbox_enqueue(
        to=[notification.recipient.email],
        subject=notification.text[:120],
        body=body,
        document=notification,
        headers={"Auto-Submitted": "auto-generated"},
    )


def notification_mark_read(*, notification_id: int, user) -> Notification:
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(
            pk=notification_id, recipient=user
        )
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- timers --------------------------------------------------------------------------------------


def timer_schedule(*, kind: str, due_at: dt.datetime, subject=None, payload=None) -> Timer:
    registry.timer_handler(kind)  # refuse unknown kinds now, not when the timer fires
    timer = Timer(kind=kind, due_at=due_at, payload=payload or {})
    if subject is not None:
        timer.subject = subject
    timer.save()
    return timer


def timer_cancel(*, subject, kind: str | None = None) -> int:
    pending = Timer.objects.filter(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        fired_at__isnull=True,
        cancelled_at__isnull=True,
        failed_at__isnull=True,
    )
    if kind:
        pending = pending.filter(kind=kind)
    return pending.update(cancelled_at=timezone.now())


def timer_fire(*, timer: Timer) -> bool:
    """Fire one claimed (row-locked) timer. Returns True when its handler succeeded.

    The handler runs in a savepoint: if it fails, its writes roll back, the timer is retried with
    a growing delay, and after TIMER_MAX_ATTEMPTS it is marked failed for an administrator.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            registry.timer_handler(timer.kind)(timer)
    except Exception as exc:  # a broken handler must not stop the sweep for everyone else
        logger.exception("timer %s (%s) failed", timer.pk, timer.kind)
        timer.attempts += 1
        timer.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if timer.attempts >= TIMER_MAX_ATTEMPTS:
            timer.failed_at = now
        else:
            timer.due_at = now + dt.timedelta(minutes=2**timer.attempts)
        timer.save(update_fields=["attempts", "last_error", "failed_at", "due_at"])
        return False
    timer.fired_at = now
    timer.save(update_fields=["fired_at"])
    return True


# --- tasks ---------------------------------------------------------------------------------------


def task_url(task: Task) -> str:
    return reverse("workflow:task-detail", args=[task.pk])


def task_create(
    *,
    kind: str,
    title: str,
    assignee,
    subject=None,
    due_at: dt.datetime | None = None,
    created_by=None,
    description: str = "",
    parent: Task | None = None,
    remind_working_days: int | None = None,
) -> Task:
    """Put a task in someone's inbox. An absent assignee's deputy gets it instead; a deadline
    brings a reminder (N working days before) and an escalation to the head (at the deadline)."""
    registry.task_kind(kind)
    with transaction.atomic():
        acting = acting_for(assignee)
        task = Task(
            kind=kind,
            title=title[:255],
            description=description,
            assignee=acting,
            original_assignee=assignee if acting.pk != assignee.pk else None,
            created_by=created_by,
            due_at=due_at,
            parent=parent,
        )
        if subject is not None:
            task.subject = subject
        task.save()
        access.access_grant_task(task)
        if task.original_assignee:
            description_text = _("Задание «%(title)s» назначено: %(who)s (замещает %(whom)s)") % {
                "title": task.title,
                "who": display_name(acting),
                "whom": display_name(assignee),
            }
        else:
            description_text = _("Задание «%(title)s» назначено: %(who)s") % {
                "title": task.title,
                "who": display_name(acting),
            }
        history_record(
            subject=subject if subject is not None else task,
            actor=created_by,
            action=HistoryAction.TASK,
            description=description_text,
            data={"task": task.pk},
        )
        if due_at is not None:
            _task_timers_schedule(task, remind_working_days)
        notification_send(
            recipient=acting,
            text=_("Новое задание: %(title)s") % {"title": task.title},
            url=task_url(task),
        )
    return task


def _task_timers_schedule(task: Task, remind_working_days: int | None) -> None:
    days = (
        settings.ARGO_TASK_REMINDER_WORKING_DAYS
        if remind_working_days is None
        else remind_working_days
    )
    remind_at = calendar.working_days_before(task.due_at, days) if days else None
    if remind_at is not None and remind_at > timezone.now():
        timer_schedule(kind=TASK_REMINDER, due_at=remind_at, subject=task)
    timer_schedule(kind=TASK_ESCALATION, due_at=task.due_at, subject=task)


def _locked_task(task_id: int) -> Task:
    return Task.objects.select_for_update().select_related("assignee").get(pk=task_id)


def task_complete(
    *, task_id: int, user, outcome: str, comment: str = "", outcome_label: str = ""
) -> Task:
    """Close the user's own open task. Owning apps call this inside their decision service and
    record the decision itself in the document's history; this row is task bookkeeping
    (``outcome_label``: the decision in words, e.g. «возвращено на доработку»)."""
    with transaction.atomic():
        task = _locked_task(task_id)
        if not rules.has_perm("workflow.complete_task", user, task):
            raise PermissionDenied(_("Это задание назначено другому сотруднику."))
        if not can_proceed(task.complete):
            raise TransitionNotAllowed(_("Задание уже завершено."))
        task.complete(by=user, outcome=outcome, comment=comment)
        task.save()
        timer_cancel(subject=task)
        history_record(
            subject=task.subject if task.object_id else task,
            actor=user,
            action=HistoryAction.TASK,
            description=(
                _("Задание «%(title)s» закрыто: %(outcome)s")
                % {"title": task.title, "outcome": outcome_label}
                if outcome_label
                else _("Задание «%(title)s» выполнено") % {"title": task.title}
            ),
            comment=comment,
            data={"task": task.pk, "outcome": outcome},
        )
    return task


def task_cancel(*, task_id: int, reason: str, user=None) -> Task | None:
    """Withdraw an open task (the route moved on without it); closed tasks stay as they are."""
    with transaction.atomic():
        task = _locked_task(task_id)
        if user is not None and not rules.has_perm("workflow.cancel_task", user, task):
            raise PermissionDenied(_("Отменить задание может только его автор."))
        if not can_proceed(task.cancel):
            return None
        task.cancel(by=user, reason=reason)
        task.save()
        timer_cancel(subject=task)
        history_record(
            subject=task.subject if task.object_id else task,
            actor=user,
            action=HistoryAction.TASK,
            description=_("Задание «%(title)s» отменено") % {"title": task.title},
            comment=reason,
            data={"task": task.pk},
        )
        notification_send(
            recipient=task.assignee,
            text=_("Задание отменено: %(title)s") % {"title": task.title},
            url=task_url(task),
            email=False,
        )
    return task


def task_reassign(*, task_id: int, to_user, reason: str, by=None) -> Task | None:
    """Hand an open task to someone else (a deputy); returns None when nothing changed."""
    with transaction.atomic():
        task = _locked_task(task_id)
        if not task.is_open or task.assignee_id == to_user.pk:
            return None
        previous = task.assignee
        task.original_assignee = task.original_assignee or previous
        task.assignee = to_user
        task.save(update_fields=["assignee", "original_assignee"])
        access.access_sync_tasks(task)
        # a route step shows who acts for its participant
        RouteStep.objects.filter(task=task).update(
            deputy=None if to_user.pk == task.original_assignee_id else to_user
        )
        history_record(
            subject=task.subject if task.object_id else task,
            actor=by,
            action=HistoryAction.TASK,
            description=_("Задание «%(title)s» передано: %(from)s → %(to)s")
            % {"title": task.title, "from": display_name(previous), "to": display_name(to_user)},
            comment=reason,
            data={"task": task.pk},
        )
        notification_send(
            recipient=to_user,
            text=_("Вам передано задание: %(title)s") % {"title": task.title},
            url=task_url(task),
        )
    return task


def absence_delegate_tasks(*, absence_id: int, by=None) -> int:
    """While an absence with a deputy lasts, the absent employee's open tasks go to whoever acts
    for them today. Idempotent: tasks already handed over are not touched again."""
    absence = Absence.objects.select_related("employee", "deputy").get(pk=absence_id)
    today = timezone.localdate()
    if absence.deputy is None or not absence.starts_on <= today <= absence.ends_on:
        return 0
    acting = acting_for(absence.employee, today)
    if acting.pk == absence.employee_id:
        return 0
    reason = _("%(kind)s с %(start)s по %(end)s") % {
        "kind": absence.get_kind_display(),
        "start": f"{absence.starts_on:%d.%m.%Y}",
        "end": f"{absence.ends_on:%d.%m.%Y}",
    }
    task_ids = Task.objects.filter(assignee=absence.employee, status=TaskStatus.OPEN).values_list(
        "pk", flat=True
    )
    moved = 0
    for task_id in list(task_ids):
        moved += task_reassign(task_id=task_id, to_user=acting, reason=reason, by=by) is not None
    return moved


# --- the engine's own task kind: an instruction (поручение) from one employee to another ---------


def instruction_give(
    *,
    author,
    assignee,
    title: str,
    description: str = "",
    due_at: dt.datetime | None = None,
    subject=None,
    parent: Task | None = None,
) -> Task:
    if not rules.has_perm("workflow.give_instruction", author):
        raise PermissionDenied(_("Давать поручения могут только сотрудники организации."))
    return task_create(
        kind=INSTRUCTION,
        title=title,
        description=description,
        assignee=assignee,
        subject=subject,
        due_at=due_at,
        created_by=author,
        parent=parent,
    )


def instruction_complete(*, task_id: int, user, data: dict) -> Task:
    with transaction.atomic():
        task = task_complete(
            task_id=task_id, user=user, outcome="done", comment=data.get("comment", "")
        )
        if task.created_by_id and task.created_by_id != user.pk:
            notification_send(
                recipient=task.created_by,
                text=_("Поручение выполнено: %(title)s (%(who)s)")
                % {"title": task.title, "who": display_name(user)},
                url=task_url(task),
            )
    return task
