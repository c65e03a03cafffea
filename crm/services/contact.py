"""Communications log and the contact control (R13): a company without a call, meeting, letter
or deal for N days (90 by default) gets a «Клиентский сервис» deal and its manager the task
«Связаться с клиентом»; any communication moves the next check to N days after it."""

from __future__ import annotations

import datetime as dt

import rules
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from crm.models import (
    Communication,
    CommunicationKind,
    Counterparty,
    CounterpartyCategory,
    CrmSettings,
    Deal,
    DealPipeline,
    DealStatus,
)
from workflow.models import HistoryAction, Task, TaskStatus, Timer
from workflow.services import (
    history_record,
    task_complete,
    task_create,
    timer_cancel,
    timer_schedule,
)

CONTACT_CHECK = "crm.contact_check"
CONTACT_TASK = "crm.contact_client"


def _days() -> dt.timedelta:
    return dt.timedelta(days=CrmSettings.load().contact_control_days)


def _check_reschedule(company: Counterparty, at: dt.datetime) -> None:
    company.next_contact_check_at = at
    company.save(update_fields=["next_contact_check_at"])
    timer_cancel(subject=company, kind=CONTACT_CHECK)
    timer_schedule(kind=CONTACT_CHECK, due_at=at, subject=company)


def communication_add(
    *, company: Counterparty, kind: str, author=None, summary: str = "", occurred_at=None
) -> Communication:
    """Record a communication on a company already locked by the caller; moves the check."""
    occurred_at = occurred_at or timezone.now()
    communication = Communication.objects.create(
        company=company, kind=kind, author=author, summary=summary, occurred_at=occurred_at
    )
    if company.last_communication_at is None or occurred_at > company.last_communication_at:
        company.last_communication_at = occurred_at
        company.save(update_fields=["last_communication_at"])
        _check_reschedule(company, occurred_at + _days())
    return communication


def communication_log(
    *, company_id: int, user, kind: str, summary: str = "", occurred_at=None
) -> Communication:
    """A manager records a call, meeting, letter, deal or other contact on the company card."""
    with transaction.atomic():
        company = Counterparty.objects.select_for_update(of=("self",)).get(pk=company_id)
        if not rules.has_perm("crm.work_company", user, company):
            raise PermissionDenied(_("Вы не можете работать с этой компанией."))
        if occurred_at and occurred_at > timezone.now() + dt.timedelta(minutes=5):
            raise TransitionNotAllowed(_("Коммуникация не может быть в будущем."))
        communication = communication_add(
            company=company, kind=kind, author=user, summary=summary, occurred_at=occurred_at
        )
        history_record(
            subject=company,
            actor=user,
            action=HistoryAction.COMMENT,
            description=_("Коммуникация: %(kind)s") % {"kind": communication.get_kind_display()},
            comment=summary,
        )
    return communication


def contact_check(timer) -> None:
    """Timer handler (idempotent): re-reads the company under a lock and acts only if the check
    is still due; never opens a second service deal (and the database refuses one anyway)."""
    company = (
        Counterparty.objects.select_for_update(of=("self",))
        .select_related("responsible")
        .filter(pk=timer.object_id)
        .first()
    )
    now = timezone.now()
    if company is None or company.next_contact_check_at is None:
        return
    if company.next_contact_check_at > now:
        return  # a communication moved the check; its own timer will come
    days = _days()
    last = company.last_communication_at
    if last is not None and last > now - days:
        _check_reschedule(company, last + days)
        return
    open_deal = Deal.objects.filter(
        company=company, pipeline=DealPipeline.SERVICE, status=DealStatus.OPEN
    ).first()
    if open_deal is None:
        deal = Deal.objects.create(
            company=company,
            pipeline=DealPipeline.SERVICE,
            title=_("Связаться с клиентом: %(name)s") % {"name": company.name},
            responsible=company.responsible,
        )
        history_record(
            subject=company,
            action=HistoryAction.CREATED,
            description=_("Нет коммуникаций %(days)s дн.: открыта сделка «Клиентский сервис»")
            % {"days": days.days},
            data={"deal": deal.pk},
        )
        if company.responsible is not None:
            task_create(
                kind=CONTACT_TASK,
                title=_("Связаться с клиентом: %(name)s") % {"name": company.name},
                assignee=company.responsible,
                subject=company,
                description=_("С компанией не было звонков, встреч, писем и сделок %(days)s дней.")
                % {"days": days.days},
            )
    _check_reschedule(company, now + days)


def contact_task_complete(*, task_id: int, user, data: dict) -> Task:
    """«Связаться с клиентом» done: the call is logged and the service deal closes."""
    with transaction.atomic():
        task = Task.objects.get(pk=task_id)
        company = Counterparty.objects.select_for_update(of=("self",)).get(pk=task.object_id)
        task = task_complete(
            task_id=task_id, user=user, outcome="contacted", comment=data.get("summary", "")
        )
        communication_add(
            company=company,
            kind=CommunicationKind.CALL,
            author=user,
            summary=data.get("summary", ""),
        )
        Deal.objects.filter(
            company=company, pipeline=DealPipeline.SERVICE, status=DealStatus.OPEN
        ).update(status=DealStatus.CLOSED, closed_at=timezone.now())
        history_record(
            subject=company,
            actor=user,
            action=HistoryAction.DECISION,
            description=_("Контакт с клиентом состоялся; сделка «Клиентский сервис» закрыта"),
            comment=data.get("summary", ""),
        )
    return task


def contact_control_schedule_missing(*, horizon: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Daily sweep: give every client company a check date, and a pending timer to each check
    due within ``horizon`` that has none. Idempotent. Returns how many timers it scheduled."""
    days = _days()
    now = timezone.now()
    # the client base: clients and tenants (government bodies and suppliers are not called)
    clients = Counterparty.objects.filter(
        category__in=[CounterpartyCategory.CLIENT, CounterpartyCategory.TENANT]
    )
    clients.filter(next_contact_check_at__isnull=True).update(
        next_contact_check_at=Coalesce(F("last_communication_at"), F("created_at")) + days
    )
    pending = Timer.objects.filter(
        kind=CONTACT_CHECK,
        content_type=ContentType.objects.get_for_model(Counterparty),
        object_id=OuterRef("pk"),
        fired_at__isnull=True,
        cancelled_at__isnull=True,
        failed_at__isnull=True,
    )
    due = (
        clients.filter(next_contact_check_at__lte=now + horizon)
        .exclude(Exists(pending))
        .values_list("id", "next_contact_check_at")
    )
    scheduled = 0
    for company_id, at in due.iterator():
        with transaction.atomic():
            company = Counterparty.objects.select_for_update(of=("self",)).get(pk=company_id)
            if company.next_contact_check_at != at:
                continue
            timer_schedule(kind=CONTACT_CHECK, due_at=at, subject=company)
            scheduled += 1
    return scheduled


def open_tasks_of_kind(company: Counterparty, kind: str):
    return Task.objects.filter(
        kind=kind,
        status=TaskStatus.OPEN,
        content_type=ContentType.objects.get_for_model(Counterparty),
        object_id=company.pk,
    )
