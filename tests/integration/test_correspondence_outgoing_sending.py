"""Outgoing letters after approval: sending by email, the counterparty's number, reaction control
by a durable timer, closing and filing; reminders from the engine; a double submission."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from correspondence.models import (
    ChainMode,
    IncomingStatus,
    OutgoingLetter,
    OutgoingStatus,
)
from correspondence.services import outgoing as services
from correspondence.services.filing import letter_file_into_folders
from correspondence.services.incoming import KIND_EXECUTE, execute_complete
from correspondence.testing import build_world, control_in, pdf_upload, register
from outbox.jobs import outbox_flush
from storage.models import FolderEntry
from tests.outgoing_letters import (
    KIND_APPROVE,
    _approve,
    _draft,
    _letters_sent,
    _open_task,
    _reload,
    _settings,
)
from workflow import calendar
from workflow.jobs import timers_sweep
from workflow.models import RouteStep, TaskStatus
from workflow.routes.services import route_of
from workflow.selectors import tasks_of


@pytest.fixture
def world(org):
    world = build_world(org)
    world["tenant"].email = "office@veter.example"
    world["tenant"].save(update_fields=["email"])
    return world


# --- sending, the counterparty's number, reaction ------------------------------------------------


def _registered(world, **kwargs):
    _settings(world, mode=ChainMode.DEPTH, depth=1, reaction_check_working_days=2)
    letter = _draft(world, **kwargs)
    services.outgoing_submit(letter_id=letter.pk, user=world["seller"])
    _approve(letter, world["sales_head"])
    return _reload(letter)


def _send(world, letter, method="email", **data):
    """Send as the office, then run the outbox job as the worker does after the commit."""
    task = _open_task(letter, services.KIND_SEND)
    letter = services.send_complete(
        task_id=task.pk,
        user=world["office"],
        data={"method": method, "sent_on": timezone.localdate(), **data},
    )
    outbox_flush()
    return letter


def test_sending_by_email_really_sends_the_letter_with_its_files(world):
    """GIVEN a registered letter with a PDF
    WHEN the office sends it by email (address prefilled from the counterparty)
    THEN one message with the number in the subject and the PDF attached is sent, the message
    is kept on the letter with the time the server accepted it, and the office gets «Получить
    входящий номер контрагента»."""
    letter = _registered(world)
    _send(world, letter)
    letters = _letters_sent()
    assert len(letters) == 1
    message = letters[0]
    assert message.to == ["office@veter.example"]
    assert letter.reg_number in message.subject
    assert message.body == "Просим продлить договор аренды на 11 месяцев."
    assert [(a[0], a[2]) for a in message.attachments] == [("pismo.pdf", "application/pdf")]
    assert message.attachments[0][1].startswith(b"%PDF")
    letter = _reload(letter)
    assert letter.status == OutgoingStatus.SENT
    assert (letter.email_to, letter.email_attachments) == ("office@veter.example", ["pismo.pdf"])
    assert letter.email_sent_at is not None and letter.sent_by == world["office"]
    number_task = _open_task(letter, services.KIND_NUMBER)
    assert number_task.assignee == world["office"] and number_task.due_at is not None


def test_sending_by_post_sends_no_email_and_email_without_address_is_refused(world):
    """GIVEN a counterparty without email THEN sending by email is refused (nothing sent) and
    sending by post records the method and date only."""
    letter = _registered(world, counterparty=world["contractor"])
    with pytest.raises(TransitionNotAllowed):
        _send(world, letter, "email")
    assert _letters_sent() == [] and _reload(letter).status == OutgoingStatus.REGISTERED
    _send(world, letter, "post")
    letter = _reload(letter)
    assert (letter.status, letter.delivery_method, _letters_sent()) == ("sent", "post", [])


def test_counterparty_number_is_stored_and_letter_waits_for_reaction(world):
    """GIVEN a sent letter WHEN the office enters the counterparty's number and date
    THEN both are stored and the letter waits for the reaction."""
    letter = _registered(world)
    _send(world, letter, "courier")
    task = _open_task(letter, services.KIND_NUMBER)
    services.counterparty_number_complete(
        task_id=task.pk,
        user=world["office"],
        data={"number": "ВХ-778", "date": timezone.localdate()},
    )
    letter = _reload(letter)
    assert (letter.counterparty_number, letter.counterparty_date) == (
        "ВХ-778",
        timezone.localdate(),
    )
    assert letter.status == OutgoingStatus.AWAITING_REACTION


def test_reaction_check_comes_from_the_timer_and_can_be_postponed_then_closed(world):
    """GIVEN a letter sent with a control date in 10 working days (check 2 working days before)
    WHEN the clock reaches the check day and the sweep runs
    THEN the executor gets «Проверить реакцию контрагента» (not before);
    «no reaction yet» with a new date schedules a new check; «reaction received» closes the
    letter and files its files into Исходящие / Продажи / <counterparty>."""
    control = control_in(10)
    letter = _registered(world, control_date=control)
    _send(world, letter, "post")
    timers_sweep()
    assert not tasks_of(letter).filter(kind=services.KIND_REACTION).exists()
    check_day = calendar.add_working_days(control, -2)
    with time_machine.travel(
        timezone.make_aware(dt.datetime.combine(check_day, dt.time(10, 0))), tick=False
    ):
        timers_sweep()
        task = _open_task(letter, services.KIND_REACTION)
        assert task.assignee == world["seller"]
        timers_sweep()  # idempotent: still one task
        assert tasks_of(letter).filter(kind=services.KIND_REACTION).count() == 1
        next_check = calendar.add_working_days(check_day, 5)
        services.reaction_complete(
            task_id=task.pk,
            user=world["seller"],
            data={"decision": services.NOT_YET, "next_check": next_check, "comment": ""},
        )
    with time_machine.travel(
        timezone.make_aware(dt.datetime.combine(next_check, dt.time(10, 0))), tick=False
    ):
        timers_sweep()
        second = _open_task(letter, services.KIND_REACTION)
        services.reaction_complete(
            task_id=second.pk,
            user=world["seller"],
            data={"decision": services.RECEIVED, "answer": None, "comment": "Позвонили, согласны"},
        )
    letter = _reload(letter)
    assert letter.status == OutgoingStatus.CLOSED
    assert letter.reaction_comment == "Позвонили, согласны"
    entry = FolderEntry.objects.get(object_id=letter.pk)
    names = []
    folder = entry.folder
    while folder is not None:
        names.insert(0, folder.name)
        folder = folder.parent
    assert names == ["Исходящие", "Продажи", "ООО «Северный ветер»"]


def test_an_incoming_answer_closes_the_pending_check_by_itself(world):
    """GIVEN a sent letter whose reaction check task is open
    WHEN the office registers an incoming letter «в ответ на» it
    THEN the check task is cancelled, the timer too, and the letter is closed."""
    letter = _registered(world)
    _send(world, letter, "post")
    with time_machine.travel(
        timezone.make_aware(dt.datetime.combine(letter.control_date, dt.time(10, 0))), tick=False
    ):
        timers_sweep()
        check = _open_task(letter, services.KIND_REACTION)
        answer = register(
            world["office"],
            entity=world["entity"],
            counterparty=world["tenant"],
            responsible=world["seller"],
            answers_outgoing=letter,
        )
    letter = _reload(letter)
    assert letter.status == OutgoingStatus.CLOSED
    assert answer.reg_number in letter.reaction_comment
    assert tasks_of(letter).get(pk=check.pk).status == TaskStatus.CANCELLED


def test_sending_a_reply_executes_the_incoming_letter(world):
    """GIVEN an incoming letter whose executor chose «reply needed»
    WHEN the reply is approved and sent
    THEN the incoming letter becomes «Исполнено» with the reason in its history, and its scan
    is filed under Входящие / Продажи / <counterparty>."""
    _settings(world, mode=ChainMode.DEPTH, depth=1)
    incoming = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["tenant"],
        responsible=world["seller"],
    )
    execute = tasks_of(incoming).get(kind=KIND_EXECUTE, status="open")
    execute_complete(
        task_id=execute.pk,
        user=world["seller"],
        data={
            "decision": "reply",
            "reply_text": "Согласны",
            "reply_files": [pdf_upload("otvet.pdf")],
        },
    )
    reply = OutgoingLetter.objects.get(in_reply_to=incoming)
    services.outgoing_submit(letter_id=reply.pk, user=world["seller"])
    _approve(reply, world["sales_head"])
    _send(world, _reload(reply))
    incoming = type(incoming).objects.get(pk=incoming.pk)
    assert incoming.status == IncomingStatus.DONE
    assert FolderEntry.objects.filter(object_id=incoming.pk, folder__name="ООО «Северный ветер»")


def test_filing_twice_files_once(world):
    """GIVEN a closed letter already filed WHEN filing runs again THEN nothing is filed twice."""
    letter = _registered(world, control_date=None)
    _send(world, letter, "post")
    services.counterparty_number_complete(
        task_id=_open_task(letter, services.KIND_NUMBER).pk,
        user=world["office"],
        data={"number": "1", "date": timezone.localdate()},
    )
    letter = _reload(letter)
    assert letter.status == OutgoingStatus.CLOSED
    assert FolderEntry.objects.filter(object_id=letter.pk).count() == 1
    letter_file_into_folders(letter)
    letter_file_into_folders(letter)
    assert FolderEntry.objects.filter(object_id=letter.pk).count() == 1


def test_reaction_received_links_the_answering_incoming_letter_by_number(world):
    """GIVEN a sent letter whose reaction check is open and an incoming letter from the same
    tenant WHEN the executor reports «reaction received» with that letter's number
    THEN the incoming letter is linked as the answer and the letter is closed; an unknown
    number is refused with a message and changes nothing."""
    letter = _registered(world)
    _send(world, letter, "post")
    incoming = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["tenant"],
        responsible=world["seller"],
    )
    with time_machine.travel(
        timezone.make_aware(dt.datetime.combine(letter.control_date, dt.time(10, 0))), tick=False
    ):
        timers_sweep()
        task = _open_task(letter, services.KIND_REACTION)
        with pytest.raises(TransitionNotAllowed, match="не найдено"):
            services.reaction_complete(
                task_id=task.pk,
                user=world["seller"],
                data={"decision": services.RECEIVED, "answer_number": "Вх-9999", "comment": ""},
            )
        assert _open_task(letter, services.KIND_REACTION).pk == task.pk
        services.reaction_complete(
            task_id=task.pk,
            user=world["seller"],
            data={"decision": services.RECEIVED, "answer_number": incoming.reg_number},
        )
    assert _reload(letter).status == OutgoingStatus.CLOSED
    assert type(incoming).objects.get(pk=incoming.pk).answers_outgoing_id == letter.pk


def test_approval_task_gets_reminder_and_escalation_from_the_engine(world):
    """GIVEN a submitted letter THEN the approval task has a reminder and an escalation timer,
    and an overdue decision is marked «not on time» on the sheet."""
    from workflow.models import Timer

    letter = _draft(world)
    services.outgoing_submit(letter_id=letter.pk, user=world["seller"])
    task = _open_task(letter, KIND_APPROVE)
    kinds = set(Timer.objects.filter(object_id=task.pk).values_list("kind", flat=True))
    assert {"workflow.task_escalation"} <= kinds and len(kinds) == 2
    step = RouteStep.objects.get(task=task)
    late = step.due_at + dt.timedelta(days=1)
    with time_machine.travel(late, tick=False):
        _approve(letter, world["sales_head"])
    assert RouteStep.objects.get(pk=step.pk).on_time is False


def test_an_incoming_letter_executed_without_reply_is_filed(world):
    """GIVEN an incoming letter on execution WHEN the executor decides «no reply needed»
    THEN its scan is filed under Входящие / Продажи / <counterparty>, once."""
    incoming = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["tenant"],
        responsible=world["seller"],
    )
    task = tasks_of(incoming).get(kind=KIND_EXECUTE, status="open")
    execute_complete(
        task_id=task.pk, user=world["seller"], data={"decision": "no_reply", "comment": "Учтено"}
    )
    entry = FolderEntry.objects.get(object_id=incoming.pk)
    assert (entry.folder.name, entry.folder.parent.name, entry.folder.parent.parent.name) == (
        "ООО «Северный ветер»",
        "Продажи",
        "Входящие",
    )
    letter_file_into_folders(type(incoming).objects.get(pk=incoming.pk))
    assert FolderEntry.objects.filter(object_id=incoming.pk).count() == 1


@pytest.mark.django_db(transaction=True)
def test_submitting_twice_at_once_starts_one_round(org):
    """GIVEN a draft open in two browser tabs WHEN the author submits it from both at once
    THEN one submission starts round 1 with one approval task, the other is refused."""
    world = build_world(org)
    letter = _draft(world)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=5)
            services.outgoing_submit(letter_id=letter.pk, user=world["seller"])
            outcomes.append("done")
        except TransitionNotAllowed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(outcomes) == ["done", "refused"]
    letter = _reload(letter)
    assert route_of(letter).round == 1
    assert tasks_of(letter).filter(kind=KIND_APPROVE).count() == 1
    assert RouteStep.objects.filter(route__object_id=letter.pk).count() == 2
