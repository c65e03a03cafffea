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
