"""Outgoing letters: the approval chain, returns and rounds, registration, and two people acting
at once. Sending, the counterparty's number, reaction control and filing:
test_correspondence_outgoing_sending.py."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from correspondence.models import (
    ChainMode,
    ExtraApprover,
    OutgoingApprovalSettings,
    OutgoingStatus,
)
from correspondence.services import outgoing as services
from correspondence.services.approval_chain import chain_for
from correspondence.testing import build_world
from tests.factories import AbsenceFactory
from tests.outgoing_letters import (
    KIND_APPROVE,
    _approve,
    _draft,
    _open_task,
    _reload,
    _settings,
)
from workflow import calendar
from workflow.models import RouteStep, TaskStatus
from workflow.routes.services import REVISE_TASK_KIND as KIND_REVISE
from workflow.routes.services import route_of
from workflow.routes.tasks import revision_task_complete, step_task_complete
from workflow.selectors import tasks_of


@pytest.fixture
def world(org):
    world = build_world(org)
    world["tenant"].email = "office@veter.example"
    world["tenant"].save(update_fields=["email"])
    return world


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
