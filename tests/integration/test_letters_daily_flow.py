"""Daily flows of letters without stumbling: the executor's way to the reply draft, files on task
pages, the revision task's deadline and edit link, notifications read with their task."""

import pytest
from django.urls import reverse

from correspondence.models import OutgoingStatus
from correspondence.services.incoming import KIND_EXECUTE
from correspondence.services.outgoing import KIND_PREPARE
from correspondence.testing import build_world, pdf_upload, register
from workflow.models import TaskStatus
from workflow.selectors import tasks_of


@pytest.fixture
def world(org):
    return build_world(org)


@pytest.fixture
def letter(world):
    return register(
        world["office"],
        entity=world["entity"],
        counterparty=world["tenant"],
        responsible=world["seller"],
    )


def _execute_task(letter):
    return tasks_of(letter).get(kind=KIND_EXECUTE, status=TaskStatus.OPEN)


def test_reply_needed_takes_the_executor_to_the_draft_with_a_task(client, world, letter):
    """GIVEN the executor's task on a tenant letter WHEN he decides «Нужен ответ» on the task page
    THEN he lands on the reply draft, which shows his task «Подготовить и отправить на
    согласование ответ» due by the letter's control date; WHEN he submits the draft from that task
    THEN the draft goes to approval and the task is done."""
    client.force_login(world["seller"])
    task = _execute_task(letter)
    response = client.post(
        reverse("workflow:task-detail", args=[task.pk]),
        {
            "decision": "reply",
            "reply_text": "Ответ арендатору",
            "reply_files": [pdf_upload("otvet.pdf")],
        },
    )
    reply = letter.replies.get()
    assert response.status_code == 302
    assert response["Location"] == reply.get_absolute_url()
    prepare = tasks_of(reply).get(kind=KIND_PREPARE)
    assert prepare.assignee == world["seller"]
    assert prepare.title.startswith("Подготовить и отправить на согласование ответ")
    assert prepare.due_at is not None and prepare.due_at.date() == letter.control_date
    card = client.get(response["Location"]).content.decode()
    assert "Заданий нет" not in card
    assert reverse("workflow:task-detail", args=[prepare.pk]) in card
    task_page = client.get(reverse("workflow:task-detail", args=[prepare.pk])).content.decode()
    assert reverse("correspondence:outgoing-edit", args=[reply.pk]) in task_page  # edit link
    assert "otvet.pdf" in task_page  # the draft's files on the task page
    response = client.post(reverse("workflow:task-detail", args=[prepare.pk]), {"note": ""})
    assert response.status_code == 302
    assert type(reply).objects.get(pk=reply.pk).status == OutgoingStatus.APPROVAL
    assert type(prepare).objects.get(pk=prepare.pk).status == TaskStatus.DONE


def test_submitting_the_draft_from_its_card_closes_the_prepare_task(client, world, letter):
    """GIVEN the prepare task WHEN the executor submits the draft with the card's button
    THEN the task is done too (no stale task in his inbox)."""
    client.force_login(world["seller"])
    client.post(
        reverse("workflow:task-detail", args=[_execute_task(letter).pk]),
        {"decision": "reply", "reply_text": "Ответ", "reply_files": [pdf_upload()]},
    )
    reply = letter.replies.get()
    client.post(reverse("correspondence:outgoing-submit", args=[reply.pk]))
    assert tasks_of(reply).get(kind=KIND_PREPARE).status == TaskStatus.DONE


def test_task_pages_show_the_documents_files_with_a_preview(client, world, letter):
    """GIVEN the executor's task on a letter with a PDF scan WHEN he opens the task page
    THEN the scan is listed and previewed inline, and the preview may be framed by our pages
    only."""
    client.force_login(world["seller"])
    page = client.get(
        reverse("workflow:task-detail", args=[_execute_task(letter).pk])
    ).content.decode()
    stored = letter.letter_files.get().stored_file
    url = reverse("storage:download", args=[stored.pk])
    assert 'data-testid="task-files"' in page
    assert f'src="{url}?inline=1"' in page
    response = client.get(f"{url}?inline=1")
    assert response.status_code == 200
    assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "attachment" not in response["Content-Disposition"]


def _returned_draft(world):
    from correspondence.services import outgoing as services
    from correspondence.testing import stored_pdf
    from workflow.routes.services import STEP_TASK_KINDS
    from workflow.routes.tasks import step_task_complete

    letter = services.outgoing_create(
        user=world["seller"],
        legal_entity=world["entity"],
        counterparty=world["tenant"],
        subject="О продлении договора аренды",
        text="Просим продлить договор.",
        files=[stored_pdf(world["seller"], "pismo.pdf")],
    )
    services.outgoing_submit(letter_id=letter.pk, user=world["seller"])
    task = tasks_of(letter).get(kind=STEP_TASK_KINDS["approve"], status=TaskStatus.OPEN)
    step_task_complete(
        task_id=task.pk,
        user=task.assignee,
        data={"decision": "return", "comment": "Уберите упоминание штрафа"},
    )
    return letter


def test_the_revision_task_has_a_deadline_and_a_button_to_edit_the_letter(client, world):
    """GIVEN a letter returned for revision WHEN the author opens the revision task
    THEN it has a deadline and a button «Изменить документ» to the letter's edit page."""
    from workflow.routes.services import REVISE_TASK_KIND

    letter = _returned_draft(world)
    revise = tasks_of(letter).get(kind=REVISE_TASK_KIND, status=TaskStatus.OPEN)
    assert revise.due_at is not None
    client.force_login(world["seller"])
    page = client.get(reverse("workflow:task-detail", args=[revise.pk])).content.decode()
    edit = reverse("correspondence:outgoing-edit", args=[letter.pk])
    assert f'href="{edit}" data-testid="task-edit-document"' in page
    assert "без срока" not in page


def test_a_task_notification_is_read_once_the_task_is_opened_or_done(client, world, letter):
    """GIVEN the executor's «Новое задание» notification WHEN he opens the task THEN it is read;
    GIVEN the director's unread notification of her review task WHEN someone else finishes it
    (the task closes) THEN hers is read too."""
    from workflow.models import Notification
    from workflow.services import task_url

    task = _execute_task(letter)
    unread = Notification.objects.filter(url=task_url(task), read_at__isnull=True)
    assert unread.filter(recipient=world["seller"]).exists()
    client.force_login(world["outsider"])
    client.get(reverse("workflow:task-detail", args=[task.pk]))  # 404: marks nothing
    assert unread.filter(recipient=world["seller"]).exists()
    client.force_login(world["seller"])
    client.get(reverse("workflow:task-detail", args=[task.pk]))
    assert not unread.filter(recipient=world["seller"]).exists()

    from workflow.services import notification_send, task_cancel

    notification_send(recipient=world["gendir"], text="Просрочено", url=task_url(task), email=False)
    task_cancel(task_id=task.pk, reason="Маршрут изменён")
    assert not unread.filter(recipient=world["gendir"]).exists()


def test_the_reaction_links_the_answering_letter_for_who_may_open_it(client, world, letter):
    """GIVEN our letter sent to the tenant and the tenant's answer registered «в ответ на» it
    WHEN the general director (who may open both) opens our letter THEN «Реакция» links the
    answer; an answer the viewer may not open is never linked (the list comes from the
    visibility selector)."""
    from django.utils import timezone

    from correspondence.models import OutgoingLetter

    ours = OutgoingLetter.objects.create(
        legal_entity=world["entity"],
        counterparty=world["tenant"],
        subject="Об оплате",
        author=world["seller"],
        executor=world["seller"],
        thread=letter.thread,
        reg_number="Исх-0001/БЦ/2026",
        sent_on=timezone.localdate(),
    )
    answer = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["tenant"],
        subject="Ответ об оплате",
        answers_outgoing=ours,
    )
    client.force_login(world["gendir"])
    page = client.get(ours.get_absolute_url()).content.decode()
    reaction = page[page.index('data-testid="reaction"') :][:600]
    assert f'href="{answer.get_absolute_url()}" data-testid="reaction-answer"' in reaction
    assert answer.reg_number in reaction
