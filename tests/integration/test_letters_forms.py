"""The letter forms people stumbled on: registration (asterisk on the scans, the control date
proposed by the counterparty's route, «в ответ на» limited to letters sent to it), the resolution
(searchable co-executors, not oneself, subtasks after the control date) and the executor's form."""

import pytest
from django.urls import reverse
from django.utils import timezone

from correspondence.models import OutgoingLetter, RouteRule, Thread
from correspondence.services.incoming import KIND_EXECUTE, KIND_RESOLUTION
from correspondence.testing import build_world, control_in, pdf_upload, register
from crm.models import CounterpartyCategory
from workflow import calendar
from workflow.models import TaskStatus
from workflow.selectors import tasks_of


@pytest.fixture
def world(org):
    return build_world(org)


def _sent(world, counterparty, number, *, sent=True):
    thread = Thread.objects.create(counterparty=counterparty, subject="Аренда")
    return OutgoingLetter.objects.create(
        legal_entity=world["entity"],
        counterparty=counterparty,
        subject=f"Письмо {number}",
        author=world["seller"],
        executor=world["seller"],
        thread=thread,
        reg_number=number,
        sent_on=timezone.localdate() if sent else None,
    )


def test_registration_form_marks_the_scans_required(client, world):
    """GIVEN the registrar WHEN she opens the form THEN the scans field carries the asterisk."""
    client.force_login(world["office"])
    page = client.get(reverse("correspondence:incoming-register")).content.decode()
    scans = page[page.index("Файлы (сканы)") :][:200]
    assert "asteriskField" in scans


def test_picking_a_government_body_proposes_ten_working_days_and_its_sent_letters(client, world):
    """GIVEN the government route rule with 10 working days, a letter sent to the body, one
    draft to it and one sent to another counterparty WHEN the registrar picks the body
    THEN the control date 10 working days ahead is proposed (swapped in beside the picker) and
    «в ответ на» offers only the letter sent to the body."""
    rule = RouteRule.objects.get(category=CounterpartyCategory.GOVERNMENT)
    assert rule.control_working_days == 10
    sent = _sent(world, world["government"], "Исх-0007")
    draft = _sent(world, world["government"], "Исх-0008", sent=False)
    other = _sent(world, world["tenant"], "Исх-0009")
    client.force_login(world["office"])
    page = client.get(
        reverse("correspondence:counterparty-pick"), {"id": world["government"].pk}
    ).content.decode()
    expected = calendar.add_working_days(timezone.localdate(), 10)
    assert f'data-fill-value="{expected:%Y-%m-%d}"' in page
    assert expected.strftime("%d.%m.%Y") in page
    assert 'id="control-date-suggestion" class="form-text mt-n2 mb-3" hx-swap-oob="true"' in page
    assert f'value="{sent.pk}"' in page
    assert f'value="{draft.pk}"' not in page and f'value="{other.pk}"' not in page


def test_an_empty_rule_term_proposes_nothing_and_a_letter_to_another_is_refused(client, world):
    """GIVEN the tenant route with no default term WHEN the tenant is picked THEN no date is
    proposed; WHEN the form is posted answering a letter sent to someone else THEN it is
    refused in Russian and the letter is not registered."""
    RouteRule.objects.filter(category=CounterpartyCategory.TENANT).update(control_working_days=None)
    other = _sent(world, world["government"], "Исх-0010")
    client.force_login(world["office"])
    page = client.get(
        reverse("correspondence:counterparty-pick"), {"id": world["tenant"].pk}
    ).content.decode()
    assert "data-fill-value" not in page
    response = client.post(
        reverse("correspondence:incoming-register"),
        {
            "legal_entity": world["entity"].pk,
            "counterparty": world["tenant"].pk,
            "subject": "Ответ",
            "received_on": timezone.localdate().isoformat(),
            "control_date": control_in(5).isoformat(),
            "answers_outgoing": other.pk,
            "files": [pdf_upload()],
        },
    )
    assert response.status_code == 200
    assert "Выберите корректный вариант" in response.content.decode()


def _resolution_task(world):
    letter = register(world["office"], entity=world["entity"], counterparty=world["government"])
    return letter, tasks_of(letter).get(kind=KIND_RESOLUTION, status=TaskStatus.OPEN)


def test_the_resolution_offers_a_searchable_list_without_the_resolver(client, world):
    """GIVEN the general director's resolution task WHEN he opens it THEN the co-executors list
    is searchable and does not offer himself; a forged post naming him is refused."""
    letter, task = _resolution_task(world)
    client.force_login(task.assignee)
    page = client.get(reverse("workflow:task-detail", args=[task.pk])).content.decode()
    select = page[page.index('name="co_executors"') :][
        : page[page.index('name="co_executors"') :].index("</select>")
    ]
    assert "data-searchable" in page
    assert f'value="{task.assignee.pk}"' not in select
    assert f'value="{world["seller"].pk}"' in select
    response = client.post(
        reverse("workflow:task-detail", args=[task.pk]), {"co_executors": [task.assignee.pk]}
    )
    assert response.status_code == 200
    assert type(task).objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_a_subtask_due_after_the_control_date_needs_a_confirmation(client, world):
    """GIVEN the resolution task WHEN a subtask is due after the letter's control date
    THEN the form warns and keeps what was typed; WHEN «так и задумано» is ticked THEN it is
    accepted."""
    letter, task = _resolution_task(world)
    late = calendar.add_working_days(letter.control_date, 3)
    data = {
        "resolution": "Подготовить ответ",
        "subtask1_title": "Собрать акты",
        "subtask1_assignee": world["seller"].pk,
        "subtask1_due_date": late.isoformat(),
    }
    client.force_login(task.assignee)
    response = client.post(reverse("workflow:task-detail", args=[task.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Срок позже контрольного срока письма" in page
    assert "Собрать акты" in page
    response = client.post(
        reverse("workflow:task-detail", args=[task.pk]), {**data, "late_ok": "on"}
    )
    assert response.status_code == 302
    assert tasks_of(letter).filter(title="Собрать акты").exists()


def test_the_executor_form_ties_the_reply_fields_to_the_reply_choice(client, world):
    """GIVEN the executor's task WHEN the form is shown THEN the reply text and file are marked
    to show only with «Нужен ответ»; WHEN «не требуется» is sent with a reply text THEN no
    draft is made."""
    letter = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["tenant"],
        responsible=world["seller"],
    )
    task = tasks_of(letter).get(kind=KIND_EXECUTE, status=TaskStatus.OPEN)
    client.force_login(world["seller"])
    page = client.get(reverse("workflow:task-detail", args=[task.pk])).content.decode()
    assert page.count('data-shown-when="decision=reply"') == 2
    client.post(
        reverse("workflow:task-detail", args=[task.pk]),
        {"decision": "no_reply", "comment": "Исполнено звонком", "reply_text": "забытый текст"},
    )
    assert not letter.replies.exists()
