"""Communications log and the contact control (R13): a company without a call, meeting, letter
or deal for N days (90 by default) gets a «Клиентский сервис» deal and its manager the task
«Связаться с клиентом»; any communication moves the next check to N days after it."""

from __future__ import annotations

import datetime as dt
import logging

import rules
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from crm import roles
from crm.models import (
    CLIENT_CATEGORIES,
    Communication,
    CommunicationKind,
    Counterparty,
    CrmSettings,
    Deal,
    DealPipeline,
    DealStatus,
)
from workflow.calendar import deadline_after
from workflow.models import Department, HistoryAction, Task, TaskStatus, Timer
from workflow.selectors import users_with_role
from workflow.services import (
    history_record,
    task_complete,
    task_create,
    timer_cancel,
    timer_schedule,
)

logger = logging.getLogger(__name__)

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
        assignee, reason = contact_assignee(company)
        deal = Deal.objects.create(
            company=company,
            pipeline=DealPipeline.SERVICE,
            title=_("Связаться с клиентом: %(name)s") % {"name": company.name},
            responsible=assignee,
        )
        history_record(
            subject=company,
            action=HistoryAction.CREATED,
            description=_("Нет коммуникаций %(days)s дн.: открыта сделка «Клиентский сервис»")
            % {"days": days.days},
            data={"deal": deal.pk},
        )
        if assignee is not None:
            description = _(
                "С компанией не было звонков, встреч, писем и сделок %(days)s дней."
            ) % {"days": days.days}
            if reason:
                description = f"{description} {reason}"
            task_create(
                kind=CONTACT_TASK,
                title=_("Связаться с клиентом: %(name)s") % {"name": company.name},
                assignee=assignee,
                subject=company,
                description=description,
                due_at=deadline_after(now, CrmSettings.load().contact_task_working_days),
            )
        else:
            logger.error("contact control: nobody to assign company %s to", company.pk)
    _check_reschedule(company, now + days)


def sales_head():
    """The head of sales: the head of the configured sales department, else of the department
    most active managers work in (the nearest head above it when it has none)."""
    settings = CrmSettings.objects.select_related("sales_department").filter(pk=1).first()
    department = settings.sales_department if settings else None
    if department is None:
        top = (
            users_with_role(roles.MANAGER)
            .exclude(employee__department__isnull=True)
            .values("employee__department")
            .annotate(n=Count("id"))
            .order_by("-n", "employee__department")
            .first()
        )
        if top is None:
            return None
        department = Department.objects.get(pk=top["employee__department"])
    seen = set()
    while department is not None and department.pk not in seen:
        seen.add(department.pk)
        if department.head_id and department.head.is_active:
            return department.head
        department = department.parent
    return None


def contact_assignee(company: Counterparty) -> tuple:
    """Who gets «Связаться с клиентом»: the company's manager; without one (or a former
    employee), the head of sales, else the fallback set in the CRM settings, else the general
    director. Returns (user or None, a sentence explaining a substitute)."""
    if company.responsible is not None and company.responsible.is_active:
        return company.responsible, ""
    no_manager = _("У компании нет ответственного менеджера: назначьте его или свяжитесь сами.")
    head = sales_head()
    if head is not None:
        return head, no_manager
    settings = CrmSettings.load()
    if settings.unassigned_fallback_id and settings.unassigned_fallback.is_active:
        return settings.unassigned_fallback, no_manager
    director = users_with_role(roles.GENERAL_DIRECTOR).first()
    return director, no_manager


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
    clients = Counterparty.objects.filter(category__in=CLIENT_CATEGORIES)
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
