"""The incoming route on the engine where it changed: the review beside the executor (tenant
route) «для сведения» or «обязательно», objections, a reply closing what still holds the letter,
who is credited with assignments, and two reviewers of one stage deciding at once."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from correspondence.models import (
    IncomingLetter,
    IncomingStatus,
    ReviewWithExecution,
    RouteRule,
    StepMode,
    StepRole,
)
from correspondence.services import incoming as services
from correspondence.services.incoming import KIND_ASSIGN, KIND_EXECUTE, KIND_REVIEW
from correspondence.testing import build_world, pdf_upload, register
from workflow.models import (
    HistoryAction,
    HistoryEntry,
    Notification,
    RouteStep,
    Task,
    TaskStatus,
)
from workflow.routes.services import route_of
from workflow.routes.tasks import step_task_complete
from workflow.selectors import history_of, tasks_of


@pytest.fixture
def world(org):
    return build_world(org)


def _mode(mode):
    RouteRule.objects.filter(category="tenant").update(review_with_execution=mode)


def _tenant_letter(world, **kwargs):
    return register(
        world["office"],
        entity=world["entity"],
        counterparty=world["tenant"],
        **{"responsible": world["seller"], **kwargs},
    )


def _task(letter, kind, status=TaskStatus.OPEN):
    return tasks_of(letter).get(kind=kind, status=status)


def _reload(letter):
    return IncomingLetter.objects.get(pk=letter.pk)


def _execute(letter, user, comment="Продлили по телефону"):
    return services.execute_complete(
        task_id=_task(letter, KIND_EXECUTE).pk,
        user=user,
        data={"decision": services.NO_REPLY, "comment": comment},
    )


def _review(letter, user, decision="review", comment=""):
    return step_task_complete(
        task_id=_task(letter, KIND_REVIEW).pk,
        user=user,
        data={"decision": decision, "comment": comment},
    )


def _reply(letter, user):
    services.execute_complete(
        task_id=_task(letter, KIND_EXECUTE).pk,
        user=user,
        data={
            "decision": services.REPLY_NEEDED,
            "reply_text": "Согласны",
            "reply_files": [pdf_upload("otvet.pdf")],
        },
    )
    return _reload(letter).replies.get()


# --- «для сведения» (the default) and «обязательно» ----------------------------------------------


def test_by_default_the_directors_review_is_informational_and_stays_open(client, world):
    """GIVEN the tenant route with its default «для сведения»
    WHEN the executor answers «ответ не требуется» first
    THEN the letter is «Исполнено» at once, the director's review is still open in her inbox and
    the card says so; WHEN she reviews later THEN her decision is recorded on the route."""
    assert RouteRule.objects.get(category="tenant").review_with_execution == "informational"
    letter = _tenant_letter(world)
    _execute(letter, world["seller"])
    assert _reload(letter).status == IncomingStatus.DONE
    assert _task(letter, KIND_REVIEW).assignee == world["director"]
    client.force_login(world["director"])
    page = client.get(letter.get_absolute_url()).content.decode()
    assert "Для сведения, не задерживает документ:" in page
    assert "для сведения: не задерживает исполнение письма" in page
    _review(letter, world["director"], comment="Ознакомилась")
    step = RouteStep.objects.get(task__kind=KIND_REVIEW, route=route_of(letter))
    assert (step.blocking, step.decision, step.comment) == (False, "review", "Ознакомилась")
    assert _reload(letter).status == IncomingStatus.DONE


def test_mandatory_review_holds_the_letter_until_the_director_reviews(client, world):
    """GIVEN the tenant route set to «обязательно»
    WHEN the executor answers «ответ не требуется» THEN her step is done but the letter stays
    «На исполнении» and the card waits for the director; WHEN the director reviews THEN the
    letter is «Исполнено» with the executor's report, and the registrar is told."""
    _mode(ReviewWithExecution.MANDATORY)
    letter = _tenant_letter(world)
    _execute(letter, world["seller"], "Договор продлён")
    letter = _reload(letter)
    assert letter.status == IncomingStatus.IN_WORK
    assert _task(letter, KIND_EXECUTE, TaskStatus.DONE).outcome == "done"
    client.force_login(world["seller"])
    response = client.get(letter.get_absolute_url())
    assert [s.participant for s in response.context["route"].waiting] == [world["director"]]
    assert "обязательно: письмо исполнено только после рассмотрения" in response.content.decode()
    assert not Notification.objects.filter(recipient=world["office"]).exists()

    _review(letter, world["director"])
    letter = _reload(letter)
    assert letter.status == IncomingStatus.DONE
    assert letter.completion_comment == "Договор продлён"
    assert route_of(letter).status == "done"
    executed = history_of(letter).get(action=HistoryAction.TRANSITION, to_state="done")
    assert executed.actor == world["director"]  # her review completed the letter
    assert Notification.objects.filter(
        recipient=world["office"], text__contains=letter.reg_number
    ).exists()


@pytest.mark.parametrize(
    ("mode", "review_after"),
    [
        (ReviewWithExecution.MANDATORY, TaskStatus.CANCELLED),
        (ReviewWithExecution.INFORMATIONAL, TaskStatus.OPEN),
    ],
)
def test_sending_the_reply_closes_what_still_holds_the_letter(world, mode, review_after):
    """GIVEN a tenant letter whose executor prepared a reply while the director has not reviewed
    WHEN the reply is sent THEN the letter is «Исполнено»; a mandatory review closes as «не
    потребовалось», an informational one stays open for her."""
    _mode(mode)
    letter = _tenant_letter(world)
    reply = _reply(letter, world["seller"])
    assert _reload(letter).status == IncomingStatus.REPLY_PREPARING
    assert services.incoming_close_by_reply(
        letter_id=letter.pk, outgoing=reply, user=world["office"]
    )
    assert _reload(letter).status == IncomingStatus.DONE
    review = tasks_of(letter).get(kind=KIND_REVIEW)
    assert review.status == review_after
    step = RouteStep.objects.get(task=review)
    assert step.status == ("cancelled" if review_after == TaskStatus.CANCELLED else "pending")
    assert route_of(letter).status == "done"


def test_rule_form_in_the_admin_offers_both_modes(admin_client, world):
    """GIVEN the tenant rule in the admin WHEN the administrator switches it to «обязательно»
    THEN it is saved; a rule without its «ответственный исполнитель» step is refused in Russian."""
    rule = RouteRule.objects.get(category="tenant")
    url = reverse("admin:correspondence_routerule_change", args=[rule.pk])
    page = admin_client.get(url).content.decode()
    assert "Для сведения: не задерживает исполнение письма" in page
    steps = list(rule.steps.order_by("order"))
    data = {
        "name": rule.name,
        "category": rule.category,
        "review_with_execution": "mandatory",
        "reminder_working_days": 2,
        "is_active": "on",
        "steps-TOTAL_FORMS": len(steps),
        "steps-INITIAL_FORMS": len(steps),
        "steps-MIN_NUM_FORMS": 0,
        "steps-MAX_NUM_FORMS": 1000,
    }
    for i, step in enumerate(steps):
        data.update(
            {
                f"steps-{i}-id": step.pk,
                f"steps-{i}-rule": rule.pk,
                f"steps-{i}-order": step.order,
                f"steps-{i}-role": step.role,
                f"steps-{i}-mode": step.mode,
            }
        )
    assert admin_client.post(url, data).status_code == 302
    assert RouteRule.objects.get(pk=rule.pk).review_with_execution == "mandatory"
    data["steps-0-DELETE"] = "on"  # the responsible employee's step
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "ровно один шаг «Ответственный исполнитель»" in response.content.decode()
    assert rule.steps.count() == 2


# --- objections ----------------------------------------------------------------------------------


def test_an_objection_needs_a_comment_and_reaches_the_executor_and_the_registrar(client, world):
    """GIVEN the director's review task on a tenant letter
    WHEN she picks «Есть возражения» without a comment on the task page THEN the form asks for
    one; WHEN she writes it THEN the decision is recorded once, and the executor and the
    registrar are notified with her comment."""
    letter = _tenant_letter(world)
    task = _task(letter, KIND_REVIEW)
    client.force_login(world["director"])
    url = reverse("workflow:task-detail", args=[task.pk])
    page = client.get(url).content.decode()
    assert "Рассмотрено" in page and "Есть возражения" in page
    response = client.post(url, {"decision": "object", "comment": ""})
    assert "Напишите комментарий" in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN
    response = client.post(url, {"decision": "object", "comment": "Не продлевать до оплаты"})
    assert response.status_code == 302
    decisions = history_of(letter).filter(action=HistoryAction.DECISION)
    assert [(d.actor, d.comment) for d in decisions] == [
        (world["director"], "Не продлевать до оплаты")
    ]
    for who in ("seller", "office"):
        note = Notification.objects.get(recipient=world[who], text__startswith="Возражения")
        assert "Не продлевать до оплаты" in note.text and letter.reg_number in note.text
    assert _reload(letter).status == IncomingStatus.IN_WORK  # an objection does not stop work


def test_an_objection_after_the_letter_was_executed_still_reaches_them(world):
    """GIVEN an executed tenant letter whose director had not reviewed yet
    WHEN she objects THEN the executor and the registrar still hear about it, and the letter
    stays executed."""
    letter = _tenant_letter(world)
    _execute(letter, world["seller"])
    with pytest.raises(ValidationError):
        _review(letter, world["director"], decision="object")
    _review(letter, world["director"], decision="object", comment="Срок продления не тот")
    assert Notification.objects.filter(
        recipient=world["seller"], text__contains="Срок продления не тот"
    ).exists()
    assert _reload(letter).status == IncomingStatus.DONE


def test_the_executor_task_carries_the_resolution_and_objections(world):
    """GIVEN a government letter: the general director's resolution, then the lawyer objects
    WHEN the executor's task opens THEN its description carries both."""
    letter = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["government"],
        responsible=world["seller"],
    )
    services.resolution_complete(
        task_id=_task(letter, services.KIND_RESOLUTION).pk,
        user=world["gendir"],
        data={"resolution": "Ответить в срок", "co_executors": [], "subtasks": []},
    )
    _review(letter, world["lawyer"], decision="object", comment="Сослаться на ст. 12")
    description = _task(letter, KIND_EXECUTE).description
    assert "Резолюция: Ответить в срок" in description
    assert "Сослаться на ст. 12" in description


# --- who is credited -----------------------------------------------------------------------------


def test_assignments_are_credited_to_whoever_caused_them(world):
    """GIVEN a government letter and a tenant letter without a responsible employee
    WHEN the lawyer's review opens the executor's stage THEN the executor's task assignment is
    credited to the lawyer, not to the registrar;
    WHEN the head of sales names seller2 THEN the executor's addition and task are credited to
    the head, seller2's step is added by her, and the letter goes on execution."""
    gov = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["government"],
        responsible=world["seller"],
    )
    services.resolution_complete(
        task_id=_task(gov, services.KIND_RESOLUTION).pk,
        user=world["gendir"],
        data={"resolution": "", "co_executors": [], "subtasks": []},
    )
    _review(gov, world["lawyer"])
    execute = _task(gov, KIND_EXECUTE)
    assigned = HistoryEntry.objects.get(data__task=execute.pk, description__contains="назначено")
    assert assigned.actor == world["lawyer"]
    lawyer_task = tasks_of(gov).get(kind=KIND_REVIEW)
    assert (
        HistoryEntry.objects.get(data__task=lawyer_task.pk, description__contains="назначено").actor
        == world["gendir"]
    )

    letter = _tenant_letter(
        world, responsible=None, addressee_department=world["departments"]["sales"]
    )
    assert _reload(letter).status == IncomingStatus.ASSIGNING
    services.assign_complete(
        task_id=_task(letter, KIND_ASSIGN).pk,
        user=world["sales_head"],
        data={"executor": world["seller2"], "comment": "Подготовьте ответ"},
    )
    letter = _reload(letter)
    assert (letter.status, letter.responsible) == (IncomingStatus.IN_WORK, world["seller2"])
    added = history_of(letter).get(action=HistoryAction.ASSIGNMENT)
    assert added.actor == world["sales_head"]
    assert "seller2" in added.description or world["seller2"].get_full_name() in added.description
    execute = _task(letter, KIND_EXECUTE)
    assert execute.assignee == world["seller2"]
    assert (
        HistoryEntry.objects.get(data__task=execute.pk, description__contains="назначено").actor
        == world["sales_head"]
    )
    step = RouteStep.objects.get(task=execute)
    assert (step.added_by, step.reason) == (world["sales_head"], "Подготовьте ответ")
    assert execute.due_at == _task(letter, KIND_REVIEW).due_at  # the letter's control date


def test_a_head_may_name_herself_executor(world):
    """GIVEN a tenant letter waiting for the head of sales to name the executor
    WHEN she names herself THEN she gets the execution task beside her decided assignment."""
    letter = _tenant_letter(
        world, responsible=None, addressee_department=world["departments"]["sales"]
    )
    services.assign_complete(
        task_id=_task(letter, KIND_ASSIGN).pk,
        user=world["sales_head"],
        data={"executor": world["sales_head"], "comment": ""},
    )
    assert _task(letter, KIND_EXECUTE).assignee == world["sales_head"]


# --- two reviewers of one stage at the same moment -----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_once_open_the_next_stage_exactly_once(world):
    """GIVEN a government route where the lawyer and the head of the addressee department review
    together (the administrator put the head beside the lawyer), then the executor
    WHEN both decide at the same moment
    THEN both decisions are recorded, the executor's task exists exactly once and the letter
    went on execution once."""
    rule = RouteRule.objects.get(category="government")
    rule.steps.filter(role=StepRole.GENERAL_DIRECTOR).delete()
    rule.steps.create(order=25, role=StepRole.DEPARTMENT_HEAD, mode=StepMode.PARALLEL)
    letter = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["government"],
        responsible=world["seller"],
        addressee_department=world["departments"]["sales"],
    )
    reviews = {t.assignee.username: t.pk for t in tasks_of(letter).filter(kind=KIND_REVIEW)}
    assert set(reviews) == {"lawyer", "sales_head"}
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(username) -> None:
        try:
            barrier.wait(timeout=5)
            step_task_complete(
                task_id=reviews[username],
                user=world[username],
                data={"decision": "review", "comment": ""},
            )
            outcomes.append("ok")
        except BaseException as exc:  # reported by the assertion below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(name,)) for name in reviews]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes == ["ok", "ok"], outcomes
    assert tasks_of(letter).filter(kind=KIND_EXECUTE).count() == 1
    assert _reload(letter).status == IncomingStatus.IN_WORK
    to_work = history_of(letter).filter(action=HistoryAction.TRANSITION, to_state="in_work")
    assert to_work.count() == 1
    stages = list(route_of(letter).stages.order_by("order").values_list("status", flat=True))
    assert stages == ["done", "active"]
