"""Routing of incoming letters by counterparty category, the route decisions, deadlines."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from correspondence.models import IncomingStatus, LetterFile, OutgoingLetter, OutgoingStatus
from correspondence.services import incoming as services
from correspondence.services.incoming import (
    KIND_ASSIGN,
    KIND_EXECUTE,
    KIND_RESOLUTION,
    KIND_REVIEW,
)
from correspondence.testing import build_world, control_in, pdf_upload, register
from workflow import calendar
from workflow.jobs import timers_sweep
from workflow.models import Notification, Task, TaskStatus
from workflow.routes.tasks import step_task_complete
from workflow.selectors import subordinate_tasks, tasks_of
from workflow.services import INSTRUCTION


@pytest.fixture
def world(org):
    return build_world(org)


def _open(letter):
    return {(t.kind, t.assignee.username) for t in tasks_of(letter).filter(status="open")}


def _task(letter, kind):
    return tasks_of(letter).get(kind=kind, status=TaskStatus.OPEN)


def _reload(letter):
    return type(letter).objects.get(pk=letter.pk)


def _review(letter, user, comment=""):
    """The reviewer's «Рассмотрено» on the engine's review task."""
    return step_task_complete(
        task_id=_task(letter, KIND_REVIEW).pk,
        user=user,
        data={"decision": "review", "comment": comment},
    )


def test_tenant_letter_goes_to_the_responsible_and_the_director_together(world):
    """GIVEN a letter from a tenant with the seller as responsible
    WHEN it is registered
    THEN the seller gets «Исполнить» and the director «Рассмотреть» at the same time, both due
    at 18:00 on the control date, and the letter is «На исполнении»."""
    control = control_in(5)
    letter = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["tenant"],
        responsible=world["seller"],
        control_date=control,
    )
    assert _open(letter) == {(KIND_EXECUTE, "seller"), (KIND_REVIEW, "director")}
    assert letter.status == IncomingStatus.IN_WORK
    for task in tasks_of(letter):
        assert timezone.localtime(task.due_at).date() == control
        assert timezone.localtime(task.due_at).hour == 18


@pytest.mark.parametrize("category", ["government", "contractor"])
def test_government_and_contractor_letters_go_gd_then_lawyer_then_responsible(world, category):
    """GIVEN a letter from a government body / a contractor
    THEN the general director gets it first; after his resolution the lawyer; after the
    lawyer's review the responsible employee; the status follows."""
    letter = register(
        world["office"],
        entity=world["entity"],
        counterparty=world[category],
        responsible=world["seller"],
    )
    assert _open(letter) == {(KIND_RESOLUTION, "gendir")}
    assert letter.status == IncomingStatus.IN_REVIEW

    services.resolution_complete(
        task_id=_task(letter, KIND_RESOLUTION).pk,
        user=world["gendir"],
        data={"resolution": "Юристу проверить", "co_executors": [], "subtasks": []},
    )
    assert _open(letter) == {(KIND_REVIEW, "lawyer")}
    assert _reload(letter).resolution == "Юристу проверить"

    _review(letter, world["lawyer"], "ОК")
    assert _open(letter) == {(KIND_EXECUTE, "seller")}
    assert _reload(letter).status == IncomingStatus.IN_WORK


def test_without_responsible_the_head_of_the_addressee_department_assigns(world):
    """GIVEN a tenant letter registered to the sales department without a responsible employee
    WHEN it is registered THEN the head of sales gets «Назначить исполнителя» (status
    «Назначение исполнителя»), and the director already takes part;
    WHEN the head picks seller2 THEN seller2 gets «Исполнить» and the letter is on execution."""
    letter = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["tenant"],
        addressee_department=world["departments"]["sales"],
    )
    assert _open(letter) == {(KIND_ASSIGN, "sales_head"), (KIND_REVIEW, "director")}
    assert letter.status == IncomingStatus.ASSIGNING
    services.assign_complete(
        task_id=_task(letter, KIND_ASSIGN).pk,
        user=world["sales_head"],
        data={"executor": world["seller2"], "comment": "Подготовьте ответ"},
    )
    letter = _reload(letter)
    assert letter.responsible == world["seller2"]
    assert letter.status == IncomingStatus.IN_WORK
    assert _open(letter) == {(KIND_EXECUTE, "seller2"), (KIND_REVIEW, "director")}


def test_government_letter_without_responsible_is_assigned_after_the_lawyer(world):
    """GIVEN a government letter without responsible WHEN the GD and the lawyer finished
    THEN the head of the addressee entity's top department (the GD) gets «Назначить исполнителя»."""
    letter = register(world["office"], entity=world["entity"], counterparty=world["government"])
    services.resolution_complete(
        task_id=_task(letter, KIND_RESOLUTION).pk,
        user=world["gendir"],
        data={"resolution": "", "co_executors": [], "subtasks": []},
    )
    _review(letter, world["lawyer"])
    assert _open(letter) == {(KIND_ASSIGN, "gendir")}
    assert _reload(letter).status == IncomingStatus.ASSIGNING


def test_resolution_adds_co_executors_and_subtasks(world):
    """GIVEN a government letter at the general director
    WHEN he adds seller2 as co-executor and a subtask for the lawyer with its own deadline
    THEN seller2 and the lawyer get instructions that are subtasks of his task, on the letter,
    the co-executor is listed on the letter, and the route goes on to the lawyer."""
    letter = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["government"],
        responsible=world["seller"],
    )
    gd_task = _task(letter, KIND_RESOLUTION)
    sub_due = control_in(3)
    services.resolution_complete(
        task_id=gd_task.pk,
        user=world["gendir"],
        data={
            "resolution": "Подготовить ответ совместно",
            "co_executors": [world["seller2"]],
            "subtasks": [
                {"title": "Проверить полномочия", "assignee": world["lawyer"], "due_date": sub_due}
            ],
        },
    )
    subtasks = Task.objects.filter(parent=gd_task).order_by("id")
    assert [(t.kind, t.assignee.username) for t in subtasks] == [
        (INSTRUCTION, "seller2"),
        (INSTRUCTION, "lawyer"),
    ]
    assert all(t.subject == letter for t in subtasks)
    assert timezone.localtime(subtasks[1].due_at).date() == sub_due
    assert list(_reload(letter).co_executors.all()) == [world["seller2"]]
    assert (KIND_REVIEW, "lawyer") in _open(letter)


def test_executor_without_reply_executes_the_letter(world):
    """GIVEN a tenant letter on execution (the director reviews «для сведения», the default)
    WHEN the seller answers «ответ не требуется» with a comment THEN the letter is «Исполнено»
    with the comment, the registrar is notified, and the director's review stays open for her
    (it no longer disappears)."""
    letter = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["tenant"],
        responsible=world["seller"],
    )
    services.execute_complete(
        task_id=_task(letter, KIND_EXECUTE).pk,
        user=world["seller"],
        data={"decision": services.NO_REPLY, "comment": "Согласовали по телефону"},
    )
    letter = _reload(letter)
    assert letter.status == IncomingStatus.DONE
    assert letter.get_status_display() == "Исполнено"
    assert letter.completion_comment == "Согласовали по телефону"
    assert _open(letter) == {(KIND_REVIEW, "director")}
    assert Notification.objects.filter(
        recipient=world["office"], text__contains=letter.reg_number
    ).exists()


def test_executor_with_reply_creates_a_linked_outgoing_draft(world):
    """GIVEN a letter on execution WHEN the seller answers «нужен ответ» with text and a PDF
    THEN the letter is «Ответ готовится», a draft outgoing letter exists in reply to it (same
    thread, the file attached), and when that reply is sent the letter becomes «Исполнено»."""
    letter = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["tenant"],
        responsible=world["seller"],
    )
    services.execute_complete(
        task_id=_task(letter, KIND_EXECUTE).pk,
        user=world["seller"],
        data={
            "decision": services.REPLY_NEEDED,
            "reply_text": "Согласны продлить договор",
            "reply_files": [pdf_upload("otvet.pdf")],
        },
    )
    letter = _reload(letter)
    assert letter.status == IncomingStatus.REPLY_PREPARING
    assert letter.get_status_display() == "Ответ готовится"
    reply = letter.replies.get()
    assert reply.status == OutgoingStatus.DRAFT
    assert reply.in_reply_to == letter
    assert reply.thread == letter.thread
    assert reply.counterparty == world["tenant"]
    assert reply.text == "Согласны продлить договор"
    assert LetterFile.objects.get(outgoing=reply).stored_file.original_name == "otvet.pdf"

    assert services.incoming_close_by_reply(letter_id=letter.pk, outgoing=reply)
    assert _reload(letter).status == IncomingStatus.DONE
    assert not services.incoming_close_by_reply(letter_id=letter.pk, outgoing=reply)


def test_a_decision_cannot_be_given_twice(world):
    """GIVEN an executed letter WHEN the same task is submitted again THEN it is refused and no
    second draft appears."""
    letter = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["tenant"],
        responsible=world["seller"],
    )
    task = _task(letter, KIND_EXECUTE)
    services.execute_complete(
        task_id=task.pk,
        user=world["seller"],
        data={"decision": services.NO_REPLY, "comment": "Готово"},
    )
    with pytest.raises(TransitionNotAllowed):
        services.execute_complete(
            task_id=task.pk,
            user=world["seller"],
            data={"decision": services.REPLY_NEEDED, "reply_text": "x", "reply_files": []},
        )
    assert not OutgoingLetter.objects.exists()


def test_reminder_before_the_control_date_and_escalation_to_the_head(world):
    """GIVEN a tenant letter due in 5 working days, route reminder 2 working days before
    WHEN the clock reaches the reminder moment THEN the seller is reminded;
    WHEN the control date passes with the task open THEN the head of sales is told and sees the
    task as overdue in «Задания подчинённых»."""
    control = control_in(5)
    letter = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["tenant"],
        responsible=world["seller"],
        control_date=control,
    )
    task = _task(letter, KIND_EXECUTE)
    remind_day = calendar.add_working_days(control, -2)
    at_reminder = timezone.make_aware(dt.datetime.combine(remind_day, dt.time(18, 1)))
    with time_machine.travel(at_reminder, tick=False):
        timers_sweep()
    assert Notification.objects.filter(
        recipient=world["seller"], text__startswith="Напоминание"
    ).exists()
    assert not Notification.objects.filter(recipient=world["sales_head"]).exists()

    after_deadline = timezone.make_aware(dt.datetime.combine(control, dt.time(18, 5)))
    with time_machine.travel(after_deadline, tick=False):
        timers_sweep()
        assert Notification.objects.filter(
            recipient=world["sales_head"], text__contains="просрочил"
        ).exists()
        overdue = subordinate_tasks(world["sales_head"]).get(pk=task.pk)
        assert overdue.is_overdue


def test_route_rules_are_data_edited_in_the_admin(world):
    """GIVEN the admin removed the lawyer from the contractor route and added the head of the
    addressee department in parallel with the general director
    WHEN a contractor letter is registered THEN the GD and the head of sales get it together,
    and after both the responsible employee executes it."""
    from correspondence.models import RouteRule, RouteStep, StepMode, StepRole

    rule = RouteRule.objects.get(category="contractor")
    rule.steps.filter(role=StepRole.LAWYER).delete()
    RouteStep.objects.create(
        rule=rule, order=15, role=StepRole.DEPARTMENT_HEAD, mode=StepMode.PARALLEL
    )
    letter = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["contractor"],
        responsible=world["seller"],
        addressee_department=world["departments"]["sales"],
    )
    assert _open(letter) == {(KIND_RESOLUTION, "gendir"), (KIND_REVIEW, "sales_head")}
    _review(letter, world["sales_head"])
    assert _open(letter) == {(KIND_RESOLUTION, "gendir")}
    services.resolution_complete(
        task_id=_task(letter, KIND_RESOLUTION).pk,
        user=world["gendir"],
        data={"resolution": "", "co_executors": [], "subtasks": []},
    )
    assert _open(letter) == {(KIND_EXECUTE, "seller")}


def test_registered_route_is_kept_when_the_rule_changes_later(world):
    """GIVEN a government letter waiting for the GD WHEN the admin then deletes the lawyer step
    THEN this letter still goes to the lawyer (its route was fixed at registration)."""
    from correspondence.models import RouteRule, StepRole

    letter = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["government"],
        responsible=world["seller"],
    )
    RouteRule.objects.get(category="government").steps.filter(role=StepRole.LAWYER).delete()
    services.resolution_complete(
        task_id=_task(letter, KIND_RESOLUTION).pk,
        user=world["gendir"],
        data={"resolution": "", "co_executors": [], "subtasks": []},
    )
    assert _open(letter) == {(KIND_REVIEW, "lawyer")}


@pytest.mark.django_db(transaction=True)
def test_director_and_executor_deciding_at_once_leave_a_consistent_letter(world):
    """GIVEN a tenant letter with the executor's and the director's tasks open
    WHEN the executor closes the letter and the director reviews it at the same moment
    THEN both succeed (her review is «для сведения»: it never holds the letter and is never
    withdrawn), the letter is «Исполнено» and her task is done."""
    import threading

    from django.db import connection

    letter = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["tenant"],
        responsible=world["seller"],
    )
    execute_id = _task(letter, KIND_EXECUTE).pk
    review_id = _task(letter, KIND_REVIEW).pk
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(fn, **kwargs) -> None:
        try:
            barrier.wait(timeout=5)
            fn(**kwargs)
            outcomes.append("ok")
        except TransitionNotAllowed:
            outcomes.append("refused")
        except BaseException as exc:  # reported by the assertion below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=act,
            args=(services.execute_complete,),
            kwargs={
                "task_id": execute_id,
                "user": world["seller"],
                "data": {"decision": services.NO_REPLY, "comment": "Готово"},
            },
        ),
        threading.Thread(
            target=act,
            args=(step_task_complete,),
            kwargs={
                "task_id": review_id,
                "user": world["director"],
                "data": {"decision": "review", "comment": "Ок"},
            },
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes == ["ok", "ok"], outcomes
    letter = _reload(letter)
    assert letter.status == IncomingStatus.DONE
    assert Task.objects.get(pk=review_id).status == TaskStatus.DONE
