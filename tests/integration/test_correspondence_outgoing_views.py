"""Pages of outgoing correspondence: permissions, the draft form, the card, the register."""

import io

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from correspondence.models import ChainMode, OutgoingApprovalSettings, OutgoingLetter
from correspondence.services import outgoing as services
from correspondence.testing import build_world, control_in, pdf_upload, stored_pdf
from outbox.jobs import outbox_flush
from workflow.routes.tasks import step_task_complete
from workflow.selectors import tasks_of
from workflow.services import display_name

KIND_APPROVE = "workflow.route_approve"


@pytest.fixture
def world(org):
    world = build_world(org)
    world["tenant"].email = "office@veter.example"
    world["tenant"].save(update_fields=["email"])
    OutgoingApprovalSettings.objects.create(
        legal_entity=world["entity"], mode=ChainMode.DEPTH, depth=1
    )
    return world


@pytest.fixture
def letter(world):
    return services.outgoing_create(
        user=world["seller"],
        legal_entity=world["entity"],
        counterparty=world["tenant"],
        subject="О продлении договора аренды",
        text="Просим продлить договор.",
        control_date=control_in(10),
        files=[stored_pdf(world["seller"], "pismo.pdf")],
    )


def _urls(letter):
    file_pk = letter.letter_files.get().stored_file_id
    return [
        reverse("correspondence:outgoing-detail", args=[letter.pk]),
        reverse("correspondence:outgoing-edit", args=[letter.pk]),
        reverse("storage:download", args=[file_pk]),
    ]


def test_anonymous_is_sent_to_login(client, letter):
    """GIVEN an anonymous visitor THEN the register, the form and the card redirect to login."""
    for url in [
        reverse("correspondence:outgoing-list"),
        reverse("correspondence:outgoing-create"),
        reverse("correspondence:outgoing-detail", args=[letter.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_an_outsider_gets_404_for_the_card_and_its_file_and_no_row_in_register(
    client, world, letter
):
    """GIVEN an employee of another department with no part in the letter
    THEN its card, edit page and file are 404 and the register does not list it."""
    client.force_login(world["outsider"])
    for url in _urls(letter):
        assert client.get(url).status_code == 404, url
    response = client.get(reverse("correspondence:outgoing-list"))
    assert "О продлении договора аренды" not in response.content.decode()


@pytest.mark.parametrize("who", ["seller", "sales_head", "gendir"])
def test_author_head_and_general_director_see_the_card_and_file(client, world, letter, who):
    """GIVEN the author, the author's head, the general director THEN card and file open."""
    client.force_login(world[who])
    card, _edit, download = _urls(letter)
    assert client.get(card).status_code == 200
    assert client.get(download).status_code == 200


def test_approver_and_registrar_see_the_letter_through_their_tasks(client, world, letter):
    """GIVEN the letter approved by the head THEN the office (with the send task) opens the card,
    sees the send form with the counterparty email prefilled, and sends it from there."""
    services.outgoing_submit(letter_id=letter.pk, user=world["seller"])
    task = tasks_of(letter).get(kind=KIND_APPROVE, status="open")
    client.force_login(world["sales_head"])
    response = client.post(
        reverse("workflow:task-detail", args=[task.pk]), {"decision": "approve", "comment": ""}
    )
    assert response.status_code == 302
    client.force_login(world["office"])
    card = client.get(reverse("correspondence:outgoing-detail", args=[letter.pk]))
    assert card.status_code == 200
    html = card.content.decode()
    assert 'value="office@veter.example"' in html and 'data-testid="send-form"' in html
    response = client.post(
        reverse("correspondence:outgoing-send", args=[letter.pk]),
        {"method": "email", "sent_on": timezone.localdate().isoformat(), "email": "", "body": ""},
    )
    assert response.status_code == 200
    assert "Укажите адрес эл. почты получателя." in response.content.decode()
    response = client.post(
        reverse("correspondence:outgoing-send", args=[letter.pk]),
        {
            "method": "email",
            "sent_on": timezone.localdate().isoformat(),
            "email": "chief@veter.example",
            "body": "Направляем письмо.",
        },
    )
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="email-delivery" data-status="pending"' in html
    outbox_flush()  # the worker's job after the commit
    html = client.get(response["Location"]).content.decode()
    assert 'data-testid="email-delivery" data-status="sent"' in html
    assert "chief@veter.example" in html
    assert [m.to for m in mail.outbox if m.attachments] == [["chief@veter.example"]]


def test_return_is_refused_without_comment_on_the_task_page(client, world, letter):
    """GIVEN an approver on the task page WHEN they return without comment
    THEN the form shows the error and the letter stays in approval."""
    services.outgoing_submit(letter_id=letter.pk, user=world["seller"])
    task = tasks_of(letter).get(kind=KIND_APPROVE, status="open")
    client.force_login(world["sales_head"])
    response = client.post(
        reverse("workflow:task-detail", args=[task.pk]), {"decision": "return", "comment": ""}
    )
    assert response.status_code == 200
    assert "Напишите комментарий: что не так и что нужно исправить." in response.content.decode()
    assert OutgoingLetter.objects.get(pk=letter.pk).status == "approval"


def test_creating_a_letter_through_the_form(client, world):
    """GIVEN the seller on «Новое исходящее» WHEN the form is sent without a counterparty
    THEN the error is shown and the typed subject kept; WHEN complete THEN the draft card opens."""
    client.force_login(world["seller"])
    data = {
        "legal_entity": world["entity"].pk,
        "counterparty": "",
        "subject": "Уведомление о ремонте",
        "text": "Сообщаем о ремонте лифта.",
        "document_date": timezone.localdate().isoformat(),
        "control_date": "",
        "executor": world["seller"].pk,
    }
    response = client.post(reverse("correspondence:outgoing-create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Выберите контрагента-получателя." in html and "Уведомление о ремонте" in html
    data["counterparty"] = world["tenant"].pk
    data["files"] = [pdf_upload("remont.pdf")]
    response = client.post(reverse("correspondence:outgoing-create"), data, follow=True)
    letter = OutgoingLetter.objects.get(subject="Уведомление о ремонте")
    assert response.redirect_chain[-1][0] == letter.get_absolute_url()
    assert letter.letter_files.get().stored_file.original_name == "remont.pdf"
    assert 'data-testid="outgoing-submit"' in response.content.decode()


def test_counterparty_picker_works_for_any_employee(client, world):
    """GIVEN a seller (not a registrar) THEN the outgoing picker searches and picks."""
    client.force_login(world["seller"])
    response = client.get(reverse("correspondence:outgoing-counterparty-search"), {"q": "Ветер"})
    assert "Северный ветер" in response.content.decode()
    response = client.get(
        reverse("correspondence:outgoing-counterparty-pick"), {"id": world["tenant"].pk}
    )
    assert f'value="{world["tenant"].pk}"' in response.content.decode()


def test_card_shows_every_round_of_the_approval_sheet(client, world, letter):
    """GIVEN a letter returned once and resubmitted with «что исправлено» THEN the card shows
    round 2 with whom it waits for and the revision note, and round 1 with the return comment
    and the on-time mark."""
    services.outgoing_submit(letter_id=letter.pk, user=world["seller"])
    task = tasks_of(letter).get(kind=KIND_APPROVE, status="open")
    step_task_complete(
        task_id=task.pk,
        user=world["sales_head"],
        data={"decision": "return", "comment": "Добавьте срок"},
    )
    services.outgoing_submit(letter_id=letter.pk, user=world["seller"], note="Добавил срок")
    client.force_login(world["seller"])
    html = client.get(reverse("correspondence:outgoing-detail", args=[letter.pk])).content.decode()
    assert 'data-testid="route-round">круг 2<' in html
    assert "Круг 1: Возвращён на доработку" in html
    assert "Добавьте срок" in html and "в срок" in html
    assert "Что исправлено (круг 2):</strong> Добавил срок" in html
    assert "Ждём:" in html and display_name(world["sales_head"]) in html


def _many(world, count):
    for i in range(count):
        services.outgoing_create(
            user=world["seller"],
            legal_entity=world["entity"],
            counterparty=world["tenant"] if i % 2 else world["government"],
            subject=f"Письмо {i}",
            executor=world["seller2"] if i % 3 else world["seller"],
            control_date=control_in(3),
        )


def test_register_runs_a_constant_number_of_queries(client, world):
    """GIVEN 10 letters, then 40 THEN the register page runs the same number of queries."""
    client.force_login(world["gendir"])
    url = reverse("correspondence:outgoing-list")
    _many(world, 10)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _many(world, 30)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert response.content.decode().count('data-testid="register-row"') == 25


def test_register_filters_sort_and_export(client, world):
    """GIVEN letters by two executors THEN filtering by executor and text narrows the list,
    sorting by subject orders it, and the Excel export holds the same rows."""
    _many(world, 6)
    client.force_login(world["gendir"])
    url = reverse("correspondence:outgoing-list")
    html = client.get(url, {"executor": world["seller"].pk}).content.decode()
    assert html.count('data-testid="register-row"') == 2
    html = client.get(url, {"q": "Письмо 5"}).content.decode()
    assert html.count('data-testid="register-row"') == 1
    html = client.get(url, {"sort": "subject"}).content.decode()
    assert html.index("Письмо 0") < html.index("Письмо 5")
    response = client.get(
        reverse("correspondence:outgoing-export"), {"executor": world["seller"].pk}
    )
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "Рег. номер" and len(rows) == 3


def test_only_the_author_submits_and_edits(client, world, letter):
    """GIVEN the author's head (who may see the letter) WHEN they try to submit or edit it
    THEN they get a message and the letter stays a draft."""
    client.force_login(world["sales_head"])
    response = client.post(reverse("correspondence:outgoing-submit", args=[letter.pk]), follow=True)
    assert "может только его автор" in response.content.decode()
    response = client.get(reverse("correspondence:outgoing-edit", args=[letter.pk]), follow=True)
    assert "только автору" in response.content.decode()
    assert OutgoingLetter.objects.get(pk=letter.pk).status == "draft"


def test_filed_letter_shows_in_its_folder_only_to_those_who_may_see_it(client, world, letter):
    """GIVEN a letter closed and filed into Исходящие / Продажи / <counterparty>
    THEN the author sees its file (linked to the letter) in the folder and downloads it; an
    outsider sees the folder empty and gets 404 for the download."""
    from storage.models import FolderEntry

    services.outgoing_update(letter_id=letter.pk, user=world["seller"], data={"control_date": None})
    services.outgoing_submit(letter_id=letter.pk, user=world["seller"])
    task = tasks_of(letter).get(kind=KIND_APPROVE, status="open")
    step_task_complete(
        task_id=task.pk, user=world["sales_head"], data={"decision": "approve", "comment": ""}
    )
    send = tasks_of(letter).get(kind=services.KIND_SEND, status="open")
    services.send_complete(
        task_id=send.pk,
        user=world["office"],
        data={"method": "courier", "sent_on": timezone.localdate()},
    )
    number = tasks_of(letter).get(kind=services.KIND_NUMBER, status="open")
    services.counterparty_number_complete(
        task_id=number.pk,
        user=world["office"],
        data={"number": "77", "date": timezone.localdate()},
    )
    entry = FolderEntry.objects.get(object_id=letter.pk)
    folder_url = reverse("storage:folder", args=[entry.folder_id])
    download = reverse("storage:download", args=[entry.stored_file_id])
    client.force_login(world["seller"])
    html = client.get(folder_url).content.decode()
    assert "pismo.pdf" in html and letter.get_absolute_url() in html
    assert client.get(download).status_code == 200
    client.force_login(world["outsider"])
    html = client.get(folder_url).content.decode()
    assert "pismo.pdf" not in html
    assert client.get(download).status_code == 404
