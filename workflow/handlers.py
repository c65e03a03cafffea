"""Timer handlers of the engine itself: task reminders and escalations. Idempotent: each re-reads
and locks the task and does nothing once the task closed or the step was already done."""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from workflow.bulk import Note, history_record_bulk, notifications_send_bulk, task_history_subject
from workflow.models import HistoryAction, Task, TaskStatus, Timer
from workflow.selectors import head_of
from workflow.services import display_name, history_record, notification_send, task_url


def _open_task(timer: Timer) -> Task | None:
    return (
        Task.objects.select_for_update()
        .select_related("assignee")
        .filter(pk=timer.object_id, status=TaskStatus.OPEN)
        .first()
    )


def _due(task: Task) -> str:
    return formats.date_format(timezone.localtime(task.due_at), "DATETIME_FORMAT")


def task_reminder(timer: Timer) -> None:
    task = _open_task(timer)
    if task is None or task.reminded_at is not None:
        return
    task.reminded_at = timezone.now()
    task.save(update_fields=["reminded_at"])
    notification_send(
        recipient=task.assignee,
        text=_("Напоминание: срок задания «%(title)s» — %(due)s")
        % {"title": task.title, "due": _due(task)},
        url=task_url(task),
    )
    history_record(
        subject=task.subject if task.object_id else task,
        action=HistoryAction.REMINDER,
        description=_("Напоминание о сроке отправлено: %(who)s")
        % {"who": display_name(task.assignee)},
        data={"task": task.pk},
    )


def task_escalation(timer: Timer) -> None:
    task = _open_task(timer)
    if task is None or task.escalated_at is not None:
        return
    task.escalated_at = timezone.now()
    task.save(update_fields=["escalated_at"])
    notification_send(
        recipient=task.assignee,
        text=_("Просрочено задание «%(title)s» (срок %(due)s)")
        % {"title": task.title, "due": _due(task)},
        url=task_url(task),
    )
    head = head_of(task.assignee)
    if head is not None:
        notification_send(
            recipient=head,
            text=_("Сотрудник %(who)s просрочил задание «%(title)s» (срок %(due)s)")
            % {"who": display_name(task.assignee), "title": task.title, "due": _due(task)},
            url=task_url(task),
        )
    history_record(
        subject=task.subject if task.object_id else task,
        action=HistoryAction.ESCALATION,
        description=_("Срок задания «%(title)s» истёк; сообщено руководителю: %(head)s")
        % {"title": task.title, "head": display_name(head) if head else "—"},
        data={"task": task.pk},
    )


# --- the same handlers for a batch of timers (the sweep's fast path): a few set-based queries
# per batch instead of a dozen per timer; same idempotence (open tasks not yet reminded/escalated)


def _open_tasks(timers: list[Timer], done_field: str) -> list[Task]:
    """Lock the batch's open tasks whose reminder/escalation is not done yet, once each."""
    return list(
        Task.objects.select_for_update(of=("self",))
        .select_related("assignee")
        .filter(
            pk__in={t.object_id for t in timers},
            status=TaskStatus.OPEN,
            **{f"{done_field}__isnull": True},
        )
        .order_by("pk")
    )


def task_reminders(timers: list[Timer]) -> None:
    tasks = _open_tasks(timers, "reminded_at")
    if not tasks:
        return
    Task.objects.filter(pk__in=[t.pk for t in tasks]).update(reminded_at=timezone.now())
    notifications_send_bulk(
        [
            Note(
                recipient=task.assignee,
                text=_("Напоминание: срок задания «%(title)s» — %(due)s")
                % {"title": task.title, "due": _due(task)},
                url=task_url(task),
            )
            for task in tasks
        ]
    )
    history_record_bulk(
        [
            {
                "subject_key": task_history_subject(task),
                "action": HistoryAction.REMINDER,
                "description": _("Напоминание о сроке отправлено: %(who)s")
                % {"who": display_name(task.assignee)},
                "data": {"task": task.pk},
            }
            for task in tasks
        ]
    )


def task_escalations(timers: list[Timer]) -> None:
    tasks = _open_tasks(timers, "escalated_at")
    if not tasks:
        return
    Task.objects.filter(pk__in=[t.pk for t in tasks]).update(escalated_at=timezone.now())
    heads: dict[int, object] = {}
    notes, entries = [], []
    for task in tasks:
        if task.assignee_id not in heads:
            heads[task.assignee_id] = head_of(task.assignee)
        head = heads[task.assignee_id]
        due = _due(task)
        notes.append(
            Note(
                recipient=task.assignee,
                text=_("Просрочено задание «%(title)s» (срок %(due)s)")
                % {"title": task.title, "due": due},
                url=task_url(task),
            )
        )
        if head is not None:
            notes.append(
                Note(
                    recipient=head,
                    text=_("Сотрудник %(who)s просрочил задание «%(title)s» (срок %(due)s)")
                    % {"who": display_name(task.assignee), "title": task.title, "due": due},
                    url=task_url(task),
                )
            )
        entries.append(
            {
                "subject_key": task_history_subject(task),
                "action": HistoryAction.ESCALATION,
                "description": _("Срок задания «%(title)s» истёк; сообщено руководителю: %(head)s")
                % {"title": task.title, "head": display_name(head) if head else "—"},
                "data": {"task": task.pk},
            }
        )
    notifications_send_bulk(notes)
    history_record_bulk(entries)
