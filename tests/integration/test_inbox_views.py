"""The inbox and task pages: anonymous, forbidden and allowed, and constant queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.helpers import give
from workflow import services
from workflow.models import Task, TaskStatus


@pytest.mark.parametrize(
    "url",
    ["/tasks/", "/tasks/instruction/", "/notifications/", "/admin/"],
)
def test_anonymous_user_is_sent_to_login(client, db, url):
    """GIVEN nobody is logged in WHEN any page is opened THEN the login page is shown instead."""
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/") or "login" in response["Location"]


def test_anonymous_user_cannot_open_a_task(client, org):
    task = give(org["sales_head"], org["seller"])
    response = client.get(reverse("workflow:task-detail", args=[task.pk]))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_login_page_is_russian(client, db):
    response = client.get("/login/")
    assert response.status_code == 200
    assert "Войти" in response.content.decode()


def test_inbox_lists_own_open_tasks_overdue_first(client, org):
    """GIVEN the seller has a task due later, an overdue one, one without deadline and a done one
    WHEN they open «Мои задания»
    THEN the three open tasks show, overdue first and highlighted, the done one does not."""
    give(org["sales_head"], org["seller"], "Позже", due_in_days=5)
    give(org["sales_head"], org["seller"], "Просроченное", due_in_days=-2)
    give(org["sales_head"], org["seller"], "Без срока")
    done = give(org["sales_head"], org["seller"], "Сделанное")
    services.task_complete(task_id=done.pk, user=org["seller"], outcome="done")
    give(org["sales_head"], org["seller2"], "Чужое")
    client.force_login(org["seller"])
    response = client.get("/tasks/")
    titles = [t.title for t in response.context["page"].object_list]
    assert titles == ["Просроченное", "Позже", "Без срока"]
    html = response.content.decode()
    assert "Мои задания" in html
    assert html.count("task-overdue") == 1
    assert "Задания подчинённых" not in html  # the seller heads nobody


def test_head_sees_subordinates_tasks(client, org):
    """GIVEN the sales head WHEN they open the tab «Задания подчинённых»
    THEN they see their sellers' tasks and nobody else's."""
    give(org["gendir"], org["seller"], "Задание продавца")
    give(org["gendir"], org["lawyer"], "Задание юриста")
    client.force_login(org["sales_head"])
    response = client.get("/tasks/?tab=team")
    titles = [t.title for t in response.context["page"].object_list]
    assert titles == ["Задание продавца"]
    client.force_login(org["gendir"])
    response = client.get("/tasks/?tab=team")
    titles = {t.title for t in response.context["page"].object_list}
    assert titles == {"Задание продавца", "Задание юриста"}


def test_non_head_asking_for_team_tab_gets_own_tasks(client, org):
    give(org["sales_head"], org["seller2"], "Чужое")
    client.force_login(org["seller"])
    response = client.get("/tasks/?tab=team")
    assert response.context["tab"] == "mine"
    assert list(response.context["page"].object_list) == []


@pytest.mark.parametrize("viewer", ["seller2", "lawyer"])
def test_other_employees_get_404_for_a_task_and_cannot_complete_it(client, org, viewer):
    """GIVEN the seller's task WHEN a colleague or another department's employee opens or posts
    to its URL THEN they get 404 and the task stays open."""
    task = give(org["sales_head"], org["seller"])
    client.force_login(org[viewer])
    url = reverse("workflow:task-detail", args=[task.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"comment": "взлом"}).status_code == 404
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


@pytest.mark.parametrize("viewer", ["sales_head", "gendir"])
def test_heads_see_a_subordinates_task_but_cannot_complete_it(client, org, viewer):
    """GIVEN the seller's task WHEN their head or the general director opens it
    THEN they see it without a decision form, and a forged POST changes nothing."""
    task = give(org["office"], org["seller"])
    client.force_login(org[viewer])
    url = reverse("workflow:task-detail", args=[task.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"] is None
    client.post(url, {"comment": "за него"})
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_assignee_completes_a_task_from_its_page(client, org):
    """GIVEN the seller's task WHEN they submit the decision form with a report
    THEN the task is done, they are back in the inbox with a success message."""
    task = give(org["sales_head"], org["seller"])
    client.force_login(org["seller"])
    url = reverse("workflow:task-detail", args=[task.pk])
    response = client.get(url)
    assert response.context["form"] is not None
    response = client.post(url, {"comment": "Справка готова"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("workflow:inbox")
    assert "выполнено" in response.content.decode()
    task = Task.objects.get(pk=task.pk)
    assert task.status == TaskStatus.DONE and task.comment == "Справка готова"


def test_submitting_a_closed_task_again_shows_a_message_not_an_error(client, org):
    task = give(org["sales_head"], org["seller"])
    services.task_complete(task_id=task.pk, user=org["seller"], outcome="done")
    client.force_login(org["seller"])
    response = client.post(
        reverse("workflow:task-detail", args=[task.pk]), {"comment": "ещё раз"}, follow=True
    )
    assert response.status_code == 200
    assert "уже нельзя выполнить" in response.content.decode()


def test_giving_an_instruction_with_a_past_deadline_keeps_the_input(client, org):
    """GIVEN the instruction form WHEN the deadline is yesterday
    THEN a Russian error is shown, the typed text stays, and no task is created."""
    client.force_login(org["sales_head"])
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        "/tasks/instruction/",
        {
            "assignee": org["seller"].pk,
            "title": "Обзвонить арендаторов",
            "description": "Подробный текст",
            "due_date": yesterday.isoformat(),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Срок не может быть в прошлом" in html
    assert "Обзвонить арендаторов" in html and "Подробный текст" in html
    assert not Task.objects.exists()


def test_giving_an_instruction_puts_it_in_the_assignees_inbox(client, org):
    client.force_login(org["sales_head"])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        "/tasks/instruction/",
        {"assignee": org["seller"].pk, "title": "Обзвонить арендаторов", "due_date": tomorrow},
    )
    task = Task.objects.get()
    assert response.status_code == 302
    assert task.assignee == org["seller"] and task.created_by == org["sales_head"]
    assert timezone.localtime(task.due_at).hour == 18


def test_login_without_employee_profile_cannot_give_instructions(client, org, django_user_model):
    outsider = django_user_model.objects.create_user("outsider", password="x-123456789")
    client.force_login(outsider)
    assert client.get("/tasks/instruction/").status_code == 403


def _tasks(org, count: int) -> None:
    now = timezone.now()
    subjects = [org["departments"]["sales"], org["departments"]["legal"], None]
    Task.objects.bulk_create(
        Task(
            kind=services.INSTRUCTION,
            title=f"Задание {i}",
            assignee=org["seller"],
            created_by=org["sales_head"],
            due_at=now + dt.timedelta(hours=i - count // 2),
            subject=subjects[i % 3],
        )
        for i in range(count)
    )


@pytest.mark.parametrize("count", [10, 500])
def test_inbox_runs_a_constant_number_of_queries(client, org, django_assert_max_num_queries, count):
    """GIVEN 10 or 500 open tasks on documents of several types
    THEN the inbox page runs the same small number of SQL queries."""
    _tasks(org, count)
    client.force_login(org["seller"])
    # 13: one of them lists the document types of the user's tasks for the type filter
    with django_assert_max_num_queries(13):
        response = client.get("/tasks/")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(count, 50)


@pytest.mark.parametrize("count", [10, 500])
def test_team_inbox_runs_a_constant_number_of_queries(
    client, org, django_assert_max_num_queries, count
):
    _tasks(org, count)
    client.force_login(org["gendir"])
    with django_assert_max_num_queries(14):
        response = client.get("/tasks/?tab=team")
    assert response.status_code == 200


def test_english_interface_is_available(client, org):
    """GIVEN a user who chose English in the user menu WHEN they open the inbox
    THEN it speaks English (the browser's Accept-Language alone does not switch it)."""
    client.force_login(org["seller"])
    assert "My tasks" not in client.get("/tasks/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.post("/language/", {"language": "en", "next": "/tasks/"})
    response = client.get("/tasks/")
    assert "My tasks" in response.content.decode()


def test_a_refusal_from_the_owning_service_is_shown_on_the_form(client, org, monkeypatch):
    """GIVEN a task kind whose service refuses the input (e.g. a file it cannot accept)
    WHEN the assignee submits THEN the page shows the reason, keeps the text, and the task
    stays open."""
    from django.core.exceptions import ValidationError

    from workflow import registry

    def refuse(**kwargs):
        raise ValidationError("Файл «скан.exe» не принят: это не документ.")

    kind = registry.task_kind(services.INSTRUCTION)
    monkeypatch.setitem(
        registry._task_kinds, kind.code, kind.__class__(**{**kind.__dict__, "complete": refuse})
    )
    task = give(org["sales_head"], org["seller"])
    client.force_login(org["seller"])
    response = client.post(
        reverse("workflow:task-detail", args=[task.pk]), {"comment": "Мой отчёт"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "не принят" in html and "Мой отчёт" in html
    assert Task.objects.get(pk=task.pk).status == TaskStatus.OPEN


def test_timeline_of_system_entries_names_the_system(client, org):
    """GIVEN a reminder written by the system (no actor) WHEN the task page shows the history
    THEN the entry says «Система» instead of failing."""
    from workflow.models import HistoryAction

    task = give(org["sales_head"], org["seller"])
    services.history_record(subject=task, action=HistoryAction.REMINDER, description="Напоминание")
    client.force_login(org["seller"])
    html = client.get(reverse("workflow:task-detail", args=[task.pk])).content.decode()
    assert "Система" in html


def test_a_services_own_refusal_reason_reaches_the_user(client, org, monkeypatch):
    """GIVEN a task kind whose service refuses with its own reason (a transition it will not
    make) WHEN the assignee submits THEN that reason is shown, not a generic text."""
    from django_fsm import TransitionNotAllowed

    from workflow import registry

    def refuse(**kwargs):
        raise TransitionNotAllowed("Не указан адрес эл. почты получателя.")

    kind = registry.task_kind(services.INSTRUCTION)
    patched = kind.__class__(**{**kind.__dict__, "complete": refuse})
    monkeypatch.setitem(registry._task_kinds, kind.code, patched)
    task = give(org["sales_head"], org["seller"])
    client.force_login(org["seller"])
    url = reverse("workflow:task-detail", args=[task.pk])
    response = client.post(url, {"comment": "x"}, follow=True)
    assert "Не указан адрес эл. почты получателя." in response.content.decode()
