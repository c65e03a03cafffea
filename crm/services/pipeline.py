"""The client pipeline (R8, seed 001).

Moving a company of a pipeline industry from «Импортирован» to «В обработке» starts the process.
At each stage the responsible manager gets a request task with three answers:
- «call»: schedule the next call; a calendar event is created and the same request comes back
  after that time (a timer);
- «step»: record the meeting/next step date; a calendar event is created, the status advances,
  a reminder comes a configured time before, and the next stage's request comes at that date;
- «refuse»: status «Отказ», the process ends.
The process ends at «Запущен». Statuses change only here.
"""

from __future__ import annotations

import datetime as dt

import rules
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import TransitionNotAllowed, can_proceed

from crm.models import (
    ADVANCE,
    CommunicationKind,
    Counterparty,
    EventKind,
    ProcessingStatus,
)
from crm.services.calendar import event_create
from crm.services.contact import communication_add, open_tasks_of_kind
from workflow.models import HistoryAction, Task
from workflow.services import (
    history_record,
    task_cancel,
    task_complete,
    task_create,
    timer_cancel,
    timer_schedule,
)
from workflow.transitions import transition_apply

User = get_user_model()

PIPELINE_REQUEST = "crm.pipeline_request"  # the task kind and the timer kind that re-issues it

QUESTIONS = {
    ProcessingStatus.IN_PROGRESS: gettext_lazy("Назначена ли встреча? %(name)s"),
    ProcessingStatus.MEETING: gettext_lazy("Встреча состоялась? Согласование условий: %(name)s"),
    ProcessingStatus.TERMS: gettext_lazy("Условия согласованы? Согласование договора: %(name)s"),
    ProcessingStatus.CONTRACT: gettext_lazy("Договор согласован? Подписание: %(name)s"),
    ProcessingStatus.SIGNING: gettext_lazy("Договор подписан? Подготовка к запуску: %(name)s"),
    ProcessingStatus.PREPARATION: gettext_lazy("Всё готово? Дата запуска: %(name)s"),
}
STEP_EVENT = {
    ProcessingStatus.MEETING: gettext_lazy("Встреча: %(name)s"),
    ProcessingStatus.TERMS: gettext_lazy("Согласование условий: %(name)s"),
    ProcessingStatus.CONTRACT: gettext_lazy("Согласование договора: %(name)s"),
    ProcessingStatus.SIGNING: gettext_lazy("Подписание договора: %(name)s"),
    ProcessingStatus.PREPARATION: gettext_lazy("Подготовка к запуску: %(name)s"),
    ProcessingStatus.LAUNCHED: gettext_lazy("Запуск работы: %(name)s"),
}


def _when(value: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _locked(company_id: int) -> Counterparty:
    return (
        Counterparty.objects.select_for_update(of=("self",))
        .select_related("industry", "responsible")
        .get(pk=company_id)
    )


def _request_issue(company: Counterparty, *, actor=None) -> Task | None:
    """The stage's request task for the responsible manager; never two open at once."""
    existing = open_tasks_of_kind(company, PIPELINE_REQUEST).first()
    if existing is not None or company.responsible is None:
        return existing
    return task_create(
        kind=PIPELINE_REQUEST,
        title=str(QUESTIONS[company.status]) % {"name": company.name},
        assignee=company.responsible,
        subject=company,
        created_by=actor,
        description=_("Этап: %(stage)s. Выберите ответ: следующий звонок, дата этапа или отказ.")
        % {"stage": company.get_status_display()},
    )


def company_take_into_work(*, company_id: int, user) -> Counterparty:
    """«Импортирован» → «В обработке» (the one move a manager makes); starts the pipeline when
    the company's industry is flagged for it. The manager becomes responsible if nobody is."""
    with transaction.atomic():
        company = _locked(company_id)
        if not rules.has_perm("crm.work_company", user, company):
            raise PermissionDenied(_("Вы не можете работать с этой компанией."))
        if not can_proceed(company.take_into_work):
            raise TransitionNotAllowed(_("Компания уже не в статусе «Импортирован»."))
        if company.responsible is None:
            company.responsible = user
        starts = company.industry is not None and company.industry.starts_pipeline
        if starts:
            company.pipeline_started_at = timezone.now()
        transition_apply(
            company,
            "take_into_work",
            actor=user,
            description=_("Компания взята в обработку")
            + (_("; запущен клиентский процесс") if starts else ""),
        )
        if starts:
            _request_issue(company, actor=user)
    return company


def pipeline_answer(*, task_id: int, user, data: dict) -> Task:
    """Complete a request task with one of the three answers (the decision form's data)."""
    outcome = data["outcome"]
    when = data.get("when")
    comment = data.get("comment", "")
    with transaction.atomic():
        company_id = Task.objects.values_list("object_id", flat=True).get(pk=task_id)
        company = _locked(company_id)
        task = task_complete(task_id=task_id, user=user, outcome=outcome, comment=comment)
        if not company.pipeline_active:
            raise TransitionNotAllowed(_("Процесс по этой компании уже завершён."))
        if outcome in ("call", "step") and (when is None or when <= timezone.now()):
            raise TransitionNotAllowed(_("Дата должна быть в будущем."))
        if outcome == "call":
            _answer_call(company, user, when, comment)
        elif outcome == "step":
            _answer_step(company, user, when, comment)
        elif outcome == "refuse":
            _answer_refuse(company, user, comment)
        else:
            raise TransitionNotAllowed(_("Неизвестный ответ."))
    return task


def _answer_call(company: Counterparty, user, when: dt.datetime, comment: str) -> None:
    event_create(
        owner=user,
        title=_("Звонок: %(name)s") % {"name": company.name},
        kind=EventKind.CALL,
        starts_at=when,
        company=company,
        duration=dt.timedelta(minutes=15),
        description=comment,
    )
    communication_add(
        company=company,
        kind=CommunicationKind.CALL,
        author=user,
        summary=_("Следующий звонок: %(when)s. %(comment)s")
        % {"when": _when(when), "comment": comment},
    )
    timer_schedule(
        kind=PIPELINE_REQUEST,
        due_at=when,
        subject=company,
        payload={"status": company.status, "by": user.pk},
    )
    history_record(
        subject=company,
        actor=user,
        action=HistoryAction.DECISION,
        description=_("Запланирован звонок на %(when)s") % {"when": _when(when)},
        comment=comment,
    )


def _answer_step(company: Counterparty, user, when: dt.datetime, comment: str) -> None:
    from_state = company.status
    transition_apply(
        company,
        ADVANCE[from_state],
        actor=user,
        comment=comment,
        description=lambda c: (
            _("%(stage)s — %(when)s") % {"stage": c.get_status_display(), "when": _when(when)}
        ),
    )
    event_create(
        owner=user,
        title=str(STEP_EVENT[company.status]) % {"name": company.name},
        kind=EventKind.MEETING if company.status == ProcessingStatus.MEETING else EventKind.STEP,
        starts_at=when,
        company=company,
        duration=dt.timedelta(hours=1),
        description=comment,
    )
    communication_add(
        company=company,
        kind=CommunicationKind.MEETING
        if from_state == ProcessingStatus.MEETING
        else CommunicationKind.CALL,
        author=user,
        summary=_("%(stage)s: %(when)s. %(comment)s")
        % {"stage": company.get_status_display(), "when": _when(when), "comment": comment},
    )
    if company.status == ProcessingStatus.LAUNCHED:
        timer_cancel(subject=company, kind=PIPELINE_REQUEST)
        return
    # the next stage's request comes when the step's date arrives
    timer_schedule(
        kind=PIPELINE_REQUEST,
        due_at=when,
        subject=company,
        payload={"status": company.status, "by": user.pk},
    )


def _answer_refuse(company: Counterparty, user, comment: str) -> None:
    transition_apply(
        company,
        "refuse",
        actor=user,
        comment=comment,
        description=_("Отказ: клиентский процесс завершён"),
    )
    timer_cancel(subject=company, kind=PIPELINE_REQUEST)


def pipeline_request_due(timer) -> None:
    """Timer handler: the call-back time or the step date arrived; re-issue the request if the
    company is still at the stage the timer was set for (idempotent)."""
    company = (
        Counterparty.objects.select_for_update(of=("self",))
        .select_related("responsible")
        .filter(pk=timer.object_id)
        .first()
    )
    if company is None or not company.pipeline_active:
        return
    if company.status != timer.payload.get("status"):
        return
    # the manager who scheduled the call or the step is the author of the request it brings back
    author = User.objects.filter(pk=timer.payload.get("by"), is_active=True).first()
    _request_issue(company, actor=author)


def pipeline_stop_requests(company: Counterparty, reason: str) -> None:
    for task_id in open_tasks_of_kind(company, PIPELINE_REQUEST).values_list("id", flat=True):
        task_cancel(task_id=task_id, reason=reason)
