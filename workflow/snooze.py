"""«Отложить до…»: the assignee hides an open task from their main list until a moment. The
deadline does not move; the task still counts as open and overdue everywhere else."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from workflow.models import HistoryAction, Task, TaskStatus
from workflow.services import history_record

MAX_SNOOZE = dt.timedelta(days=366)


def task_snooze(*, task_id: int, user, until: dt.datetime | None) -> Task:
    """Snooze until ``until``; ``None`` brings the task back now."""
    with transaction.atomic():
        task = Task.objects.select_for_update().get(pk=task_id)
        if task.assignee_id != user.pk:
            raise PermissionDenied(_("Отложить задание может только его исполнитель."))
        if task.status != TaskStatus.OPEN:
            raise ValidationError(_("Задание уже завершено."))
        now = timezone.now()
        if until is not None and until <= now:
            raise ValidationError(_("Укажите момент в будущем."))
        if until is not None and until - now > MAX_SNOOZE:
            raise ValidationError(_("Отложить можно не больше чем на год."))
        task.snoozed_until = until
        task.save(update_fields=["snoozed_until"])
        if until is not None:
            text = _("Задание «%(title)s» отложено до %(until)s") % {
                "title": task.title,
                "until": formats.date_format(timezone.localtime(until), "DATETIME_FORMAT"),
            }
        else:
            text = _("Задание «%(title)s» возвращено в список") % {"title": task.title}
        history_record(
            subject=task.subject if task.object_id else task,
            actor=user,
            action=HistoryAction.TASK,
            description=text,
            data={"task": task.pk},
        )
    return task
