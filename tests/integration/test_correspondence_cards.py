"""Letter cards link a task only for those who may open it, and stay at a constant number of
queries however many tasks a letter collects."""

import re

import pytest
import rules

from correspondence.services import incoming as services
from correspondence.services import outgoing as outgoing_services
from correspondence.testing import build_world, pdf_upload, register
from workflow.selectors import tasks_of
from workflow.services import instruction_give


@pytest.fixture
def world(org):
    return build_world(org)


def _linked(page: str) -> set[int]:
    """Task pages linked from the card's task list."""
    section = page.split('data-testid="participants"')[-1].split("</ul>")[0]
    return {int(pk) for pk in re.findall(r'href="/tasks/(\d+)/"', section)}


def _government_letter(world):
    letter = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["government"],
        responsible=world["seller"],
    )
    services.resolution_complete(
        task_id=tasks_of(letter).get(kind=services.KIND_RESOLUTION).pk,
        user=world["gendir"],
        data={"resolution": "Проверить", "co_executors": [world["seller2"]], "subtasks": []},
    )
    return letter


@pytest.mark.parametrize("who", ["office", "seller2", "lawyer", "sales_head", "gendir"])
def test_incoming_card_links_only_tasks_the_viewer_may_open(client, world, who):
    """GIVEN a government letter: the general director's resolution (assigned by the registrar),
    a co-executor's instruction for seller2 and the lawyer's review (both given by the general
    director)
    WHEN each participant opens the card THEN every task is listed, and linked exactly when the
    task page would open for them (others would get 404 there)."""
    letter = _government_letter(world)
    user = world[who]
    client.force_login(user)
    page = client.get(letter.get_absolute_url()).content.decode()
    tasks = list(tasks_of(letter))
    assert len(tasks) == 3
    allowed = {t.pk for t in tasks if rules.has_perm("workflow.view_task", user, t)}
    assert _linked(page) == allowed
    for task in tasks:
        status = client.get(f"/tasks/{task.pk}/").status_code
        assert status == (200 if task.pk in allowed else 404)
    if who == "office":
        assert len(allowed) == 1  # only the resolution task she opened by registering


def test_incoming_card_runs_a_constant_number_of_queries(
    client, world, django_assert_max_num_queries
):
    """GIVEN a government letter with 3 tasks, then with 12 (nine more instructions)
    WHEN the head of sales opens its card THEN the query count does not grow."""
    letter = _government_letter(world)
    client.force_login(world["sales_head"])
    url = letter.get_absolute_url()
    client.get(url)
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    for n in range(9):
        instruction_give(
            author=world["gendir"],
            assignee=world["seller2"] if n % 2 else world["lawyer"],
            title=f"Подзадача {n}",
            subject=letter,
        )
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(url)
    assert len(response.context["tasks"]) == 12
    assert len(many.captured_queries) == len(few.captured_queries)


def test_outgoing_card_links_tasks_only_for_those_who_may_open_them(client, world):
    """GIVEN the seller's reply to a tenant letter, submitted for approval to the head of sales
    WHEN the registrar (who sees the reply through the incoming letter) opens it THEN the
    approval task is listed without a link; the seller, who submitted it, gets the link."""
    letter = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["tenant"],
        responsible=world["seller"],
    )
    services.execute_complete(
        task_id=tasks_of(letter).get(kind=services.KIND_EXECUTE).pk,
        user=world["seller"],
        data={"decision": services.REPLY_NEEDED, "reply_text": "Да", "reply_files": [pdf_upload()]},
    )
    reply = letter.replies.get()
    outgoing_services.outgoing_submit(letter_id=reply.pk, user=world["seller"])
    approve = tasks_of(reply).get(status="open")
    link = f'href="/tasks/{approve.pk}/"'
    client.force_login(world["office"])
    page = client.get(reply.get_absolute_url()).content.decode()
    assert "Согласование" in page.split('data-testid="tasks"')[1]
    assert link not in page
    assert client.get(f"/tasks/{approve.pk}/").status_code == 404
    client.force_login(world["seller"])
    assert link in client.get(reply.get_absolute_url()).content.decode()
