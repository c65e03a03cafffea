"""Memos under concurrency on PostgreSQL (real threads): numbering and a decision racing a
withdrawal."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from memos import services
from memos.models import Memo, MemoStatus
from tests.memo_world import decision, memo_world, open_task, write
from workflow.models import Route
from workflow.selectors import tasks_of


def _together(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes = [""] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=5)
            call()
            outcomes[index] = "done"
        except (TransitionNotAllowed, PermissionDenied, ValidationError):
            outcomes[index] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_get_two_consecutive_numbers():
    """GIVEN two drafts of two authors of one legal entity WHEN both are submitted at the same
    moment THEN both succeed with numbers 0001 and 0002 (the counter row serialises them)."""
    world = memo_world()
    first, second = write(world), write(world, author="seller", to="sales_head")
    outcomes = _together(
        lambda: services.memo_submit(memo_id=first.pk, user=world["clerk"]),
        lambda: services.memo_submit(memo_id=second.pk, user=world["seller"]),
    )
    assert outcomes == ["done", "done"]
    year = timezone.localdate().year
    numbers = sorted(Memo.objects.values_list("number", flat=True))
    assert numbers == [f"СЗ-0001/{year}", f"СЗ-0002/{year}"]


@pytest.mark.django_db(transaction=True)
def test_the_same_memo_submitted_twice_at_once_starts_one_route():
    """GIVEN a draft open in two tabs WHEN «Отправить» is pressed in both at once THEN one
    submission wins, the other is refused, and one number is used."""
    world = memo_world()
    memo = write(world)
    submit = lambda: services.memo_submit(memo_id=memo.pk, user=world["clerk"])  # noqa: E731
    assert sorted(_together(submit, submit)) == ["done", "refused"]
    assert Memo.objects.get(pk=memo.pk).number.startswith("СЗ-0001/")
    assert Route.objects.get().round == 1


@pytest.mark.django_db(transaction=True)
def test_a_decision_racing_the_withdrawal_leaves_one_consistent_outcome():
    """GIVEN a memo at the general director WHEN he approves it with an executor while the
    author withdraws it THEN exactly one wins: either «На исполнении» with the executor's task,
    or a draft with no open task."""
    world = memo_world()
    memo = write(world, author="lawyer")
    services.memo_submit(memo_id=memo.pk, user=world["lawyer"])
    task = open_task(memo, world["gendir"])
    day = timezone.localdate()
    data = decision(resolution="Сделать", executors=[(world["seller"], day)])
    outcomes = _together(
        lambda: services.memo_decide(task_id=task.pk, user=world["gendir"], data=data),
        lambda: services.memo_withdraw(memo_id=memo.pk, user=world["lawyer"]),
    )
    assert sorted(outcomes) == ["done", "refused"]
    memo = Memo.objects.get(pk=memo.pk)
    open_tasks = tasks_of(memo).filter(status="open")
    open_kinds = list(open_tasks.values_list("assignee__username", flat=True))
    if outcomes[0] == "done":
        assert memo.status == MemoStatus.EXECUTION and open_kinds == ["seller"]
    else:
        assert memo.status == MemoStatus.DRAFT and open_kinds == []
