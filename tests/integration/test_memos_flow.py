"""The memo on the route engine: its transition table, the whole flow through the services
(two heads, a return with «что исправлено», a resolution with executors, execution,
acknowledgement, decline), numbering, and what the services refuse."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from memos import route as memo_route
from memos import services
from memos.models import Memo, MemoCounter, MemoStatus
from tests.memo_world import decision, in_days, memo_world, open_task, write
from workflow.models import HistoryAction, RouteSettings, RouteStatus, StepStatus, Task
from workflow.routes.selectors import route_view
from workflow.routes.services import step_decide
from workflow.routes.tasks import revision_task_complete
from workflow.selectors import history_of
from workflow.transitions import transition_apply

S = MemoStatus

# transition -> (kwargs, {source: target})
TABLE = {
    "submit": ({"to_addressee": False}, {S.DRAFT: S.APPROVAL, S.RETURNED: S.APPROVAL}),
    "forward": ({}, {S.APPROVAL: S.REVIEW}),
    "return_for_revision": ({}, {S.APPROVAL: S.RETURNED, S.REVIEW: S.RETURNED}),
    "withdraw": ({}, {S.APPROVAL: S.DRAFT, S.REVIEW: S.DRAFT, S.RETURNED: S.DRAFT}),
    "approve": ({"resolution": "Да", "execution": True}, {S.REVIEW: S.EXECUTION}),
    "execute": ({}, {S.EXECUTION: S.EXECUTED}),
    "decline": ({"reason": "Нет"}, {S.REVIEW: S.DECLINED}),
}
CASES = [(name, state) for name in TABLE for state in S.values]


@pytest.fixture
def world(db):
    return memo_world()


def _in_state(world, state):
    memo = write(world)
    Memo.objects.filter(pk=memo.pk).update(status=state)
    return Memo.objects.get(pk=memo.pk)


@pytest.mark.parametrize(("name", "state"), CASES)
def test_transition_table(world, name, state):
    """GIVEN a memo in ``state`` WHEN its author applies ``name`` THEN it moves to the table's
    target with one history row, or is refused and stays (no history row)."""
    memo = _in_state(world, state)
    kwargs, moves = TABLE[name]
    rows = history_of(memo).count()
    if state in moves:
        transition_apply(memo, name, actor=world["clerk"], **kwargs)
        assert Memo.objects.get(pk=memo.pk).status == moves[state]
        assert history_of(memo).count() == rows + 1
    else:
        with pytest.raises(TransitionNotAllowed):
            transition_apply(memo, name, actor=world["clerk"], **kwargs)
        assert Memo.objects.get(pk=memo.pk).status == state
        assert history_of(memo).count() == rows


@pytest.mark.parametrize(
    ("name", "kwargs", "source", "target"),
    [
        ("submit", {"to_addressee": True}, S.DRAFT, S.REVIEW),
        ("approve", {"resolution": "Да", "execution": False}, S.REVIEW, S.APPROVED),
    ],
)
def test_transitions_with_two_targets(world, name, kwargs, source, target):
    """GIVEN a memo whose first stage is the decision, or a resolution without executors
    THEN it goes straight to the addressee / ends as «Утверждена»."""
    memo = _in_state(world, source)
    transition_apply(memo, name, actor=world["clerk"], **kwargs)
    assert Memo.objects.get(pk=memo.pk).status == target


@pytest.mark.parametrize("name", ["submit", "withdraw"])
def test_only_the_author_submits_and_withdraws(world, name):
    """GIVEN a memo WHEN someone else applies the author's transitions THEN PermissionDenied."""
    memo = _in_state(world, S.DRAFT if name == "submit" else S.APPROVAL)
    with pytest.raises(PermissionDenied):
        transition_apply(memo, name, actor=world["seller"], **TABLE[name][0])


def test_the_whole_flow_two_heads_a_return_resolution_execution_acknowledgement(world):
    """GIVEN the clerk's memo to the general director (heads: rent_head, then sales_head)
    WHEN rent_head approves, sales_head returns it, the clerk resubmits with «что исправлено»,
    both approve, the general director approves with two executors with deadlines and one more
    reader, both executors report and both readers acknowledge
    THEN the memo keeps its number, round 2 shows the note to its approvers, the memo is
    «На исполнении» then «Исполнено», and the route ends after the acknowledgement."""
    w = world
    memo = write(w, acknowledgers=[w["office"]])
    services.memo_submit(memo_id=memo.pk, user=w["clerk"])
    memo = Memo.objects.get(pk=memo.pk)
    year = timezone.localdate().year
    assert (memo.number, memo.status) == (f"СЗ-0001/{year}", S.APPROVAL)
    assert "Согласовать служебную записку" in open_task(memo, w["rent_head"]).title

    step_decide(task_id=open_task(memo, w["rent_head"]).pk, user=w["rent_head"], decision="approve")
    task = open_task(memo, w["sales_head"])
    step_decide(task_id=task.pk, user=w["sales_head"], decision="return", comment="Нужна смета")
    assert Memo.objects.get(pk=memo.pk).status == S.RETURNED
    revision = open_task(memo, w["clerk"])
    assert "Нужна смета" in revision.description

    revision_task_complete(task_id=revision.pk, user=w["clerk"], data={"note": "Приложил смету"})
    memo = Memo.objects.get(pk=memo.pk)
    assert (memo.number, memo.status) == (f"СЗ-0001/{year}", S.APPROVAL)
    assert "Что исправлено (круг 2): Приложил смету" in open_task(memo, w["rent_head"]).description
    assert route_view(memo).current.round.note == "Приложил смету"

    for head in ("rent_head", "sales_head"):
        step_decide(task_id=open_task(memo, w[head]).pk, user=w[head], decision="approve")
    assert Memo.objects.get(pk=memo.pk).status == S.REVIEW
    task = open_task(memo, w["gendir"])
    assert task.kind == memo_route.KIND_DECIDE

    executors = [(w["seller"], in_days(3)), (w["lawyer"], in_days(5))]
    data = decision(resolution="Отремонтировать", executors=executors, acknowledgers=[w["jurist"]])
    services.memo_decide(task_id=task.pk, user=w["gendir"], data=data)
    memo = Memo.objects.get(pk=memo.pk)
    assert (memo.status, memo.resolution) == (S.EXECUTION, "Отремонтировать")
    stages = route_view(memo).current.stages
    assert [s.stage.phase for s in stages][-3:] == ["decision", "execution", "ack"]
    due = {s.participant.username: timezone.localtime(s.due_at) for s in stages[-2].steps}
    assert due["seller"].date() == in_days(3) and due["lawyer"].date() == in_days(5)
    assert due["seller"].hour == 18
    assert {s.participant.username for s in stages[-1].steps} == {"office", "jurist"}
    assert "Резолюция: Отремонтировать" in open_task(memo, w["seller"]).description
    approved = history_of(memo).get(to_state=S.EXECUTION)
    for person in ("seller", "lawyer", "office", "jurist"):
        assert w[person].get_full_name() in approved.description

    step_decide(task_id=open_task(memo, w["seller"]).pk, user=w["seller"], decision="done")
    assert Memo.objects.get(pk=memo.pk).status == S.EXECUTION  # one executor still works
    step_decide(task_id=open_task(memo, w["lawyer"]).pk, user=w["lawyer"], decision="done")
    memo = Memo.objects.get(pk=memo.pk)
    assert memo.status == S.EXECUTED
    view = route_view(memo)
    assert view.route.status == RouteStatus.RUNNING
    assert {s.participant.username for s in view.waiting} == {"office", "jurist"}
    for reader in ("office", "jurist"):
        step_decide(task_id=open_task(memo, w[reader]).pk, user=w[reader], decision="acknowledge")
    assert route_view(memo).route.status == RouteStatus.DONE
    assert Memo.objects.get(pk=memo.pk).status == S.EXECUTED
    decisions = history_of(memo).filter(action=HistoryAction.DECISION).count()
    assert decisions == 9  # heads: 2 in each round; the resolution; 2 reports; 2 readings


def test_decline_needs_a_reason_and_ends_the_route(world):
    """GIVEN a memo at the general director (the lawyer's head is the addressee: no chain)
    WHEN he declines without a reason THEN refused; WITH a reason THEN «Отклонена» with it,
    the route rejected, and the author is notified."""
    memo = write(world, author="lawyer")
    services.memo_submit(memo_id=memo.pk, user=world["lawyer"])
    assert Memo.objects.get(pk=memo.pk).status == S.REVIEW
    task = open_task(memo, world["gendir"])
    with pytest.raises(ValidationError):
        services.memo_decide(task_id=task.pk, user=world["gendir"], data=decision("reject"))
    data = decision("reject", comment="Нет бюджета")
    services.memo_decide(task_id=task.pk, user=world["gendir"], data=data)
    memo = Memo.objects.get(pk=memo.pk)
    assert (memo.status, memo.resolution) == (S.DECLINED, "Нет бюджета")
    assert route_view(memo).route.status == RouteStatus.REJECTED
    assert world["lawyer"].notifications.filter(text__contains="отклонена").exists()


def test_resolution_without_executors_ends_as_approved(world):
    """GIVEN a memo at its addressee WHEN approved with a resolution only THEN «Утверждена»."""
    memo = write(world, author="seller", to="sales_head")
    services.memo_submit(memo_id=memo.pk, user=world["seller"])
    task = open_task(memo, world["sales_head"])
    data = decision(resolution="Согласен")
    services.memo_decide(task_id=task.pk, user=world["sales_head"], data=data)
    assert Memo.objects.get(pk=memo.pk).status == S.APPROVED
    assert route_view(memo).route.status == RouteStatus.DONE


def test_withdraw_and_resubmit_keeps_the_number(world):
    """GIVEN a submitted memo WHEN the author withdraws it THEN a draft again, the head's task
    cancelled; WHEN resubmitted THEN the same number, round 2; a second memo gets 0002."""
    memo = write(world)
    services.memo_submit(memo_id=memo.pk, user=world["clerk"])
    task = open_task(memo, world["rent_head"])
    with pytest.raises(PermissionDenied):
        services.memo_withdraw(memo_id=memo.pk, user=world["rent_head"])
    services.memo_withdraw(memo_id=memo.pk, user=world["clerk"])
    assert Memo.objects.get(pk=memo.pk).status == S.DRAFT
    assert Task.objects.get(pk=task.pk).status == "cancelled"
    services.memo_submit(memo_id=memo.pk, user=world["clerk"])
    memo = Memo.objects.get(pk=memo.pk)
    assert memo.number.startswith("СЗ-0001/") and route_view(memo).route.round == 2
    other = write(world, subject="Второй")
    services.memo_submit(memo_id=other.pk, user=world["clerk"])
    assert Memo.objects.get(pk=other.pk).number.startswith("СЗ-0002/")


def test_a_refused_submission_burns_no_number(world):
    """GIVEN a participant cap of 2 (the chain is rent_head, sales_head and the addressee)
    WHEN the clerk submits THEN refused with the count and the cap, no number is taken: after
    the admin raises the cap the memo gets СЗ-0001."""
    RouteSettings.objects.create(document_type=memo_route.DOC_TYPE, participant_cap=2)
    memo = write(world)
    with pytest.raises(ValidationError, match="3 участников"):
        services.memo_submit(memo_id=memo.pk, user=world["clerk"])
    memo = Memo.objects.get(pk=memo.pk)
    assert (memo.status, memo.number) == (S.DRAFT, "")
    assert not MemoCounter.objects.filter(last_number__gt=0).exists()
    RouteSettings.objects.update(participant_cap=15)
    services.memo_submit(memo_id=memo.pk, user=world["clerk"])
    assert Memo.objects.get(pk=memo.pk).number.startswith("СЗ-0001/")


def test_executors_over_the_cap_are_refused_and_nothing_changes(world):
    """GIVEN a cap of 3 and a memo at the general director WHEN he names 3 executors (4 people)
    THEN refused; the memo stays with him and no stage was added."""
    RouteSettings.objects.create(document_type=memo_route.DOC_TYPE, participant_cap=3)
    memo = write(world, author="lawyer")
    services.memo_submit(memo_id=memo.pk, user=world["lawyer"])
    task = open_task(memo, world["gendir"])
    people = [(world[n], in_days(2)) for n in ("seller", "seller2", "office")]
    with pytest.raises(ValidationError, match="4 участников"):
        data = decision(resolution="Да", executors=people)
        services.memo_decide(task_id=task.pk, user=world["gendir"], data=data)
    assert Memo.objects.get(pk=memo.pk).status == S.REVIEW
    assert len(route_view(memo).current.stages) == 1


def test_the_addressee_must_be_a_head_or_the_general_director(world):
    """GIVEN a memo to a plain employee, or to oneself THEN refused with the reason."""
    for to, author in (("seller2", "seller"), ("clerk", "clerk")):
        with pytest.raises(ValidationError, match="руководитель или генеральный директор"):
            write(world, author=author, to=to)


@pytest.mark.parametrize(
    ("author", "to", "chain"),
    [
        ("clerk", "gendir", ["rent_head", "sales_head"]),
        ("clerk", "sales_head", ["rent_head"]),
        ("clerk", "rent_head", []),
        ("clerk", "lawyer", ["rent_head", "sales_head"]),  # another branch: up to the shared head
        ("rent_head", "gendir", ["sales_head"]),
        ("gendir", "lawyer", []),
    ],
)
def test_the_chain_of_heads_up_to_the_addressee(world, author, to, chain):
    assert [h.username for h in memo_route.chain_to(world[author], world[to])] == chain


def test_revision_without_note_is_refused_from_the_card_service(world):
    """GIVEN a returned memo WHEN the author resubmits without «что исправлено» THEN refused."""
    memo = write(world, author="seller", to="sales_head")
    services.memo_submit(memo_id=memo.pk, user=world["seller"])
    task = open_task(memo, world["sales_head"])
    services.memo_decide(
        task_id=task.pk, user=world["sales_head"], data=decision("return", comment="Уточните")
    )
    with pytest.raises(ValidationError, match="что исправлено"):
        services.memo_submit(memo_id=memo.pk, user=world["seller"], note="  ")
    services.memo_update(
        memo_id=memo.pk,
        user=world["seller"],
        data={"addressee": world["sales_head"], "subject": "Уточнено", "text": "Подробнее"},
    )
    services.memo_submit(memo_id=memo.pk, user=world["seller"], note="Уточнил")
    memo = Memo.objects.get(pk=memo.pk)
    assert (memo.status, memo.subject) == (S.REVIEW, "Уточнено")
    steps = route_view(memo).current.steps
    assert [s.status for s in steps] == [StepStatus.PENDING]
