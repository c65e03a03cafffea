"""Outgoing letters: the approval chain, returns and rounds, registration, sending by email,
the counterparty's number, reaction control by a durable timer, closing and filing."""

import datetime as dt
import threading

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from correspondence.models import (
    ChainMode,
    ExtraApprover,
    IncomingStatus,
    OutgoingApprovalSettings,
    OutgoingLetter,
    OutgoingStatus,
)
from correspondence.services import outgoing as services
from correspondence.services.approval_chain import chain_for
from correspondence.services.filing import letter_file_into_folders
from correspondence.services.incoming import KIND_EXECUTE, execute_complete
from correspondence.testing import build_world, control_in, pdf_upload, register, stored_pdf
from outbox.jobs import outbox_flush
from storage.models import FolderEntry
from tests.factories import AbsenceFactory
from workflow import calendar
from workflow.jobs import timers_sweep
from workflow.models import RouteStep, TaskStatus
from workflow.routes.services import REVISE_TASK_KIND as KIND_REVISE
from workflow.routes.services import STEP_TASK_KINDS, route_of
from workflow.routes.tasks import revision_task_complete, step_task_complete
from workflow.selectors import tasks_of

KIND_APPROVE = STEP_TASK_KINDS["approve"]


@pytest.fixture
def world(org):
    world = build_world(org)
    world["tenant"].email = "office@veter.example"
    world["tenant"].save(update_fields=["email"])
    return world


def _draft(world, *, author=None, counterparty=None, control_date="default", files=True):
    author = author or world["seller"]
    return services.outgoing_create(
        user=author,
        legal_entity=world["entity"],
        counterparty=counterparty or world["tenant"],
        subject="О продлении договора аренды",
        text="Просим продлить договор аренды на 11 месяцев.",
        executor=author,
        control_date=control_in(10) if control_date == "default" else control_date,
        files=[stored_pdf(author, "pismo.pdf")] if files else [],
    )


def _open_task(letter, kind):
    return tasks_of(letter).get(kind=kind, status=TaskStatus.OPEN)


def _reload(letter):
    return OutgoingLetter.objects.get(pk=letter.pk)


def _approve(letter, user, comment=""):
    task = _open_task(letter, KIND_APPROVE)
    return step_task_complete(
        task_id=task.pk, user=user, data={"decision": "approve", "comment": comment}
    )


def _letters_sent():
    """Messages carrying a letter (notification emails to employees are left out)."""
    return [m for m in mail.outbox if m.attachments or "argo.example" not in m.to[0]]


def _settings(world, **fields):
    OutgoingApprovalSettings.objects.update_or_create(legal_entity=world["entity"], defaults=fields)


# --- chain building ------------------------------------------------------------------------------


def test_default_chain_goes_up_to_the_general_director(world):
    """GIVEN no settings for the entity (default: up to the general director)
    THEN a seller's letter goes to the head of sales, then to the general director."""
    letter = _draft(world)
    assert [u.username for u in chain_for(letter)] == ["sales_head", "gendir"]


def test_depth_setting_limits_the_chain(world):
    """GIVEN the entity set to one level up THEN only the seller's head approves."""
    _settings(world, mode=ChainMode.DEPTH, depth=1)
    assert [u.username for u in chain_for(_draft(world))] == ["sales_head"]


def test_executor_mode_is_the_seed_000_chain_of_one(world):
    """GIVEN the entity set to «only the executor» and an office letter executed by the seller
    THEN the executor alone re-checks and approves sending."""
    _settings(world, mode=ChainMode.EXECUTOR)
    letter = services.outgoing_create(
        user=world["office"],
        legal_entity=world["entity"],
        counterparty=world["tenant"],
        subject="Уведомление",
        executor=world["seller"],
    )
    assert [u.username for u in chain_for(letter)] == ["seller"]


def test_extra_approver_for_government_bodies_is_added_once(world):
    """GIVEN a rule «government body → the lawyer» WHEN the seller writes to the MChS
    THEN the lawyer approves after the heads; a letter to a tenant does not get the lawyer."""
    ExtraApprover.objects.create(category="government", role="lawyer")
    to_government = _draft(world, counterparty=world["government"])
    assert [u.username for u in chain_for(to_government)] == ["sales_head", "gendir", "lawyer"]
    assert [u.username for u in chain_for(_draft(world))] == ["sales_head", "gendir"]


def test_an_absent_approver_is_replaced_by_the_deputy(world):
    """GIVEN the head of sales on vacation with seller2 as deputy
    WHEN the letter goes for approval THEN seller2 gets the approval task and may decide;
    the sheet names the head as approver and seller2 as the one who decided."""
    today = timezone.localdate()
    AbsenceFactory(
        employee=world["sales_head"],
        starts_on=today,
        ends_on=today + dt.timedelta(days=7),
        deputy=world["seller2"],
    )
    letter = _draft(world)
    services.outgoing_submit(letter_id=letter.pk, user=world["seller"])
    task = _open_task(letter, KIND_APPROVE)
    assert task.assignee == world["seller2"]
    _approve(letter, world["seller2"])
    step = RouteStep.objects.get(route__object_id=letter.pk, stage__order=0)
    assert (step.participant, step.deputy, step.decided_by, step.decision) == (
        world["sales_head"],
        world["seller2"],
        world["seller2"],
        "approve",
    )
    assert _open_task(letter, KIND_APPROVE).assignee == world["gendir"]


# --- approve / return / resubmit -----------------------------------------------------------------


def test_sequential_approval_registers_the_letter_and_gives_the_secretary_a_task(world):
    """GIVEN a submitted letter WHEN the head of sales and then the general director approve
    THEN each got the task only in turn, with a deadline in working days; the letter gets an
    outgoing number from the journal and the office gets «Отправить письмо»."""
    letter = _draft(world)
    services.outgoing_submit(letter_id=letter.pk, user=world["seller"])
    assert _reload(letter).status == OutgoingStatus.APPROVAL
    first = _open_task(letter, KIND_APPROVE)
    assert first.assignee == world["sales_head"]
    assert first.due_at == calendar.deadline_after(first.created_at, 2)
    _approve(letter, world["sales_head"])
    assert _open_task(letter, KIND_APPROVE).assignee == world["gendir"]
    _approve(letter, world["gendir"])
    letter = _reload(letter)
    year = timezone.localdate().year
    assert letter.status == OutgoingStatus.REGISTERED
    assert letter.reg_number == f"Исх-0001/БЦ/{year}"
    assert _open_task(letter, services.KIND_SEND).assignee == world["office"]
    assert not tasks_of(letter).filter(kind=KIND_APPROVE, status="open").exists()


def test_outgoing_numbers_follow_each_other(world):
    """GIVEN two letters approved one after the other THEN they get consecutive numbers."""
    _settings(world, mode=ChainMode.EXECUTOR)
    numbers = []
    for _i in range(2):
        letter = _draft(world)
        services.outgoing_submit(letter_id=letter.pk, user=world["seller"])
        _approve(letter, world["seller"])
        numbers.append(_reload(letter).reg_sequence)
    assert numbers == [1, 2]


def test_return_goes_to_the_author_and_resubmission_starts_a_new_round(world):
    """GIVEN the general director returns the letter with a comment
    THEN the author gets «Доработать письмо» with the comment, the letter is editable;
    WHEN the author edits and resubmits THEN round 2 starts at the head of sales again and
    round 1 stays on the sheet with the return and its comment."""
    letter = _draft(world)
    services.outgoing_submit(letter_id=letter.pk, user=world["seller"])
    _approve(letter, world["sales_head"])
    task = _open_task(letter, KIND_APPROVE)
    step_task_complete(
        task_id=task.pk,
        user=world["gendir"],
        data={"decision": "return", "comment": "Уберите упоминание штрафа"},
    )
    letter = _reload(letter)
    assert letter.status == OutgoingStatus.RETURNED
    revise = _open_task(letter, KIND_REVISE)
    assert revise.assignee == world["seller"]
    assert "Уберите упоминание штрафа" in revise.description

    services.outgoing_update(
        letter_id=letter.pk, user=world["seller"], data={"text": "Просим продлить договор."}
    )
    revision_task_complete(
        task_id=revise.pk, user=world["seller"], data={"note": "Убрал упоминание штрафа"}
    )
    letter = _reload(letter)
    assert letter.status == OutgoingStatus.APPROVAL
    assert route_of(letter).round == 2
    assert route_of(letter).rounds.get(number=2).note == "Убрал упоминание штрафа"
    assert "Убрал упоминание штрафа" in _open_task(letter, KIND_APPROVE).description
    assert letter.text == "Просим продлить договор."
    assert _open_task(letter, KIND_APPROVE).assignee == world["sales_head"]
    assert tasks_of(letter).get(pk=revise.pk).status == TaskStatus.DONE
    sheet = [
        (s.round, s.participant.username, s.status, s.decision, s.comment)
        for s in RouteStep.objects.filter(route__object_id=letter.pk).order_by(
            "round", "stage__order"
        )
    ]
    assert sheet == [
        (1, "sales_head", "decided", "approve", ""),
        (1, "gendir", "decided", "return", "Уберите упоминание штрафа"),
        (2, "sales_head", "pending", "", ""),
        (2, "gendir", "waiting", "", ""),
    ]


def test_return_without_comment_is_refused_and_editing_outside_draft_too(world):
    """GIVEN a letter in approval
    THEN a return without a comment is refused, and the author cannot edit it now."""
    letter = _draft(world)
    services.outgoing_submit(letter_id=letter.pk, user=world["seller"])
    task = _open_task(letter, KIND_APPROVE)
    with pytest.raises(ValidationError):
        step_task_complete(
            task_id=task.pk, user=world["sales_head"], data={"decision": "return", "comment": ""}
        )
    with pytest.raises(TransitionNotAllowed):
        services.outgoing_update(
            letter_id=letter.pk, user=world["seller"], data={"subject": "Другое"}
        )
    assert _reload(letter).subject == "О продлении договора аренды"


# --- concurrency ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_approver_and_author_acting_at_once_leave_one_consistent_outcome(org):
    """GIVEN a letter with a chain of one, in approval
    WHEN the approver approves and the author withdraws it at the same moment
    THEN exactly one succeeds, the other is refused with a message, and the letter is either
    registered (with the send task) or a draft (with no open approval task) — never both."""
    world = build_world(org)
    OutgoingApprovalSettings.objects.create(
        legal_entity=world["entity"], mode=ChainMode.DEPTH, depth=1
    )
    letter = _draft(world)
    services.outgoing_submit(letter_id=letter.pk, user=world["seller"])
    task = _open_task(letter, KIND_APPROVE)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def act(name, fn) -> None:
        try:
            barrier.wait(timeout=5)
            fn()
            outcomes[name] = "done"
        except TransitionNotAllowed as error:
            outcomes[name] = str(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=act,
            args=(
                "approve",
                lambda: step_task_complete(
                    task_id=task.pk,
                    user=world["sales_head"],
                    data={"decision": "approve", "comment": ""},
                ),
            ),
        ),
        threading.Thread(
            target=act,
            args=(
                "withdraw",
                lambda: services.outgoing_withdraw(letter_id=letter.pk, user=world["seller"]),
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(outcomes) == ["approve", "withdraw"]
    assert list(outcomes.values()).count("done") == 1
    refused = next(v for v in outcomes.values() if v != "done")
    assert "Обновите страницу" in refused or "уже завершено" in refused
    letter = _reload(letter)
    open_kinds = set(tasks_of(letter).filter(status="open").values_list("kind", flat=True))
    if outcomes["approve"] == "done":
        assert letter.status == OutgoingStatus.REGISTERED and letter.reg_number
        assert open_kinds == {services.KIND_SEND}
    else:
        assert letter.status == OutgoingStatus.DRAFT and not letter.reg_number
        assert open_kinds == set()
        assert RouteStep.objects.get(route__object_id=letter.pk).status == "cancelled"


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
