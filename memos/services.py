"""Every write of the memo: drafts, the journal number, submission, withdrawal and the
addressee's decision. Each runs in one transaction with the memo row locked first."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from memos import route as memo_route
from memos.models import WITHDRAWABLE, Memo, MemoCounter, MemoFile, MemoStatus
from workflow.access import access_refresh
from workflow.models import HistoryAction, Route, StepKind, Task
from workflow.roles import GENERAL_DIRECTOR
from workflow.routes.plan import StagePlan, StepPlan
from workflow.routes.services import (
    route_stage_insert,
    route_start,
    route_withdraw,
    step_decide,
)
from workflow.services import history_record

FIELDS = ("addressee", "subject", "text")
NUMBER = "СЗ-{seq:04d}/{year}"  # the journal's format, the same whatever the UI language


def addressees():
    """Whom a memo may be addressed to: the heads of departments and the general director."""
    heads = Q(headed_departments__isnull=False) | Q(employee__roles__contains=[GENERAL_DIRECTOR])
    users = get_user_model().objects.filter(heads, is_active=True).distinct()
    return users.select_related("employee").order_by("last_name", "first_name")


def _locked(memo_id: int, user=None, *, editable=False) -> Memo:
    memo = Memo.objects.select_for_update(of=("self",)).select_related("author").get(pk=memo_id)
    if user is not None and memo.author_id != user.pk:
        raise PermissionDenied(_("Это может сделать только автор служебной записки."))
    if editable and not memo.is_editable:
        raise TransitionNotAllowed(_("Записка уже отправлена. Обновите страницу."))
    return memo


def _save(memo: Memo, user, data: dict, acknowledgers, files, remove=()) -> None:
    if data["addressee"].pk == user.pk or not addressees().filter(pk=data["addressee"].pk):
        raise ValidationError({"addressee": _("Адресат — руководитель или генеральный директор.")})
    for field in FIELDS:
        setattr(memo, field, data[field])
    memo.save()
    memo.acknowledgers.set([p for p in acknowledgers if p.pk != user.pk])
    MemoFile.objects.filter(memo=memo, pk__in=list(remove)).delete()
    MemoFile.objects.bulk_create([MemoFile(memo=memo, stored_file=f) for f in files])


def memo_create(*, user, data: dict, acknowledgers=(), files=()) -> Memo:
    """A draft by an employee of a department (the department's legal entity numbers it)."""
    department = getattr(getattr(user, "employee", None), "department", None)
    if department is None:
        raise PermissionDenied(_("Писать служебные записки могут сотрудники подразделений."))
    with transaction.atomic():
        memo = Memo(author=user, legal_entity_id=department.legal_entity_id)
        _save(memo, user, data, acknowledgers, files)
        access_refresh(memo)
        text = _("Черновик служебной записки создан")
        history_record(subject=memo, actor=user, action=HistoryAction.CREATED, description=text)
    return memo


def memo_update(*, memo_id: int, user, data: dict, acknowledgers=(), files=(), remove=()) -> Memo:
    """The author edits the draft, or the memo returned for revision."""
    with transaction.atomic():
        memo = _locked(memo_id, user, editable=True)
        _save(memo, user, data, acknowledgers, files, remove)
        text = _("Служебная записка изменена")
        history_record(subject=memo, actor=user, action=HistoryAction.COMMENT, description=text)
    return memo


def number_take(memo: Memo) -> None:
    """The entity's next number of the year, «СЗ-0001/2026». The counter row stays locked until
    the caller's transaction ends: a parallel submission waits and gets the next number, and a
    submission that rolls back gives its number back."""
    year, entity = timezone.localdate().year, memo.legal_entity_id
    MemoCounter.objects.bulk_create(
        [MemoCounter(legal_entity_id=entity, year=year)], ignore_conflicts=True
    )
    counter = MemoCounter.objects.select_for_update().get(legal_entity_id=entity, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    memo.year, memo.sequence = year, counter.last_number
    memo.number = NUMBER.format(seq=counter.last_number, year=year)


def memo_submit(*, memo_id: int, user, note: str = "") -> Memo:
    """«Отправить»: the first time the memo takes its number; after a return, «что исправлено»."""
    with transaction.atomic():
        memo = _locked(memo_id, user, editable=True)
        if memo.status == MemoStatus.RETURNED and not note.strip():
            raise ValidationError(_("Напишите, что исправлено: это увидят согласующие."))
        if not memo.number:
            number_take(memo)
        plan = memo_route.plan_for(memo)
        route_start(
            subject=memo, document_type_code=memo_route.DOC_TYPE, plan=plan, actor=user, note=note
        )
    return memo


def memo_resubmit(*, document_id: int, user, note: str) -> Memo:
    """The author's revision task: resubmit with what was fixed."""
    return memo_submit(memo_id=document_id, user=user, note=note)


def memo_withdraw(*, memo_id: int, user, reason: str = "") -> Memo:
    with transaction.atomic():
        memo = _locked(memo_id, user)
        if memo.status not in WITHDRAWABLE:
            raise TransitionNotAllowed(_("Отозвать нельзя: решение по записке уже принято."))
        route_withdraw(subject=memo, actor=user, reason=reason)
    return memo


def memo_decide(*, task_id: int, user, data: dict) -> Memo:
    """The addressee's decision (``data`` from ``forms.DecisionForm``). Approve: the resolution,
    then an execution stage of the executors, each with a deadline, and an acknowledgement stage
    of the people the author and the addressee named. Return or decline: the engine ends the
    round or the route, the comment says why."""
    with transaction.atomic():
        tasks = Task.objects.filter(pk=task_id, kind=memo_route.KIND_DECIDE)
        memo = _locked(tasks.values_list("object_id", flat=True).get())
        if memo.status != MemoStatus.REVIEW:
            raise TransitionNotAllowed(_("Решение по записке уже принято. Обновите страницу."))
        if data["decision"] == "approve":
            memo.acknowledgers.add(*[p for p in data["acknowledgers"] if p.pk != memo.author_id])
            route = Route.objects.select_for_update().get(steps__task_id=task_id)
            readers = memo.acknowledgers.exclude(pk=memo.addressee_id)
            _insert_stages(route, memo, data["executors"], list(readers))
        comment = data["resolution"] if data["decision"] == "approve" else data["comment"]
        step_decide(task_id=task_id, user=user, decision=data["decision"], comment=comment)
    return memo


def _insert_stages(route: Route, memo: Memo, executors: list, acknowledgers: list) -> None:
    """Right after the decision: execution (it makes the memo «Исполнено»), then the
    acknowledgement (no one's work waits for the reading; the readers see the outcome). The
    engine applies the participant cap to the people these stages add."""
    after = route.stages.get(round=route.round, phase=memo_route.DECISION)
    if executors:
        steps = [StepPlan(StepKind.EXECUTE, p, due_at=_evening(day)) for p, day in executors]
        plan = StagePlan(_("Исполнение"), steps, phase=memo_route.EXECUTION, allow_return=False)
        after = route_stage_insert(route, plan, after=after)
    if acknowledgers:
        days = memo_route.ACK_DAYS
        steps = [StepPlan(StepKind.ACKNOWLEDGE, p, deadline_days=days) for p in acknowledgers]
        plan = StagePlan(
            _("Ознакомление"), steps, phase=memo_route.ACKNOWLEDGEMENT, allow_return=False
        )
        route_stage_insert(route, plan, after=after)


def _evening(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(18, 0)))
