"""Memo pages: who may see what (anonymous / another department / allowed), the form, the
card's actions, the decision on the task page, the register (filters, sort, pages, queries)
and its Excel export."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from memos import services
from memos.models import Memo, MemoStatus
from storage.testing import EXE_BYTES, pdf_bytes
from tests.memo_world import decision, in_days, memo_world, open_task, stored_pdf, write
from workflow.routes.services import step_decide


@pytest.fixture
def world(db):
    return memo_world()


@pytest.fixture
def memo(world):
    """The clerk's memo to the general director with a file, approved by rent_head and now
    with sales_head; the general director names ``jurist`` (legal department) executor."""
    memo = write(world, files=[stored_pdf(world["clerk"])])
    services.memo_submit(memo_id=memo.pk, user=world["clerk"])
    return Memo.objects.get(pk=memo.pk)


def _urls(memo):
    file_pk = memo.files.get().stored_file_id
    return [
        reverse("memos:detail", args=[memo.pk]),
        reverse("memos:edit", args=[memo.pk]),
        reverse("storage:download", args=[file_pk]),
    ]


def _register(client, **params):
    return client.get(reverse("memos:list"), params).content.decode()


def test_anonymous_is_sent_to_login(client, memo):
    for url in [reverse("memos:list"), reverse("memos:export"), reverse("memos:create")]:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    for url in _urls(memo):
        assert client.get(url).status_code in (302, 404), url
    assert client.post(reverse("memos:withdraw", args=[memo.pk])).status_code == 302
    assert Memo.objects.get(pk=memo.pk).status == MemoStatus.APPROVAL


@pytest.mark.parametrize("who", ["seller", "lawyer", "jurist", "office"])
def test_other_departments_and_colleagues_get_404_everywhere(client, world, memo, who):
    """GIVEN people with no part in the memo (a colleague of another team, the head of another
    department, an employee of the board) THEN card, edit, file and the actions are 404, and
    neither the register nor the export lists it."""
    client.force_login(world[who])
    for url in _urls(memo):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("memos:withdraw", args=[memo.pk])).status_code == 404
    assert memo.number not in _register(client)
    export = client.get(reverse("memos:export"))
    assert memo.number not in _cells(export)


@pytest.mark.parametrize("who", ["clerk", "rent_head", "sales_head", "gendir"])
def test_author_route_participants_their_heads_and_the_general_director_see_it(
    client, world, memo, who
):
    """GIVEN the author, the head with the task, the head above the author (no task yet) and
    the general director THEN card and file open and the register lists the memo."""
    client.force_login(world[who])
    card, _edit, download = _urls(memo)
    assert client.get(card).status_code == 200
    assert client.get(download).status_code == 200
    assert memo.number in _register(client)


def test_an_executor_and_the_executors_head_see_it_through_the_task(client, world, memo):
    """GIVEN the memo resolved with ``jurist`` as executor THEN the jurist and the jurist's head
    (the lawyer) see it; after the jurist reports they still do (past tasks count)."""
    for head in ("rent_head", "sales_head"):
        step_decide(task_id=open_task(memo, world[head]).pk, user=world[head], decision="approve")
    task = open_task(memo, world["gendir"])
    data = decision(resolution="Сделать", executors=[(world["jurist"], in_days(2))])
    services.memo_decide(task_id=task.pk, user=world["gendir"], data=data)
    step_decide(task_id=open_task(memo, world["jurist"]).pk, user=world["jurist"], decision="done")
    for who in ("jurist", "lawyer"):
        client.force_login(world[who])
        assert client.get(_urls(memo)[0]).status_code == 200, who
        assert client.get(_urls(memo)[2]).status_code == 200, who


def test_the_form_keeps_what_was_typed_and_refuses_a_bad_file(client, world):
    """GIVEN the clerk on «Написать записку» WHEN sending an .exe with the memo THEN the file is
    refused by content with a Russian message and the subject stays typed; WHEN a PDF THEN the
    draft card opens with the file."""
    client.force_login(world["clerk"])
    url = reverse("memos:create")
    form = {"addressee": world["gendir"].pk, "subject": "О мебели", "text": "Нужны стулья."}
    bad = SimpleUploadedFile("stulya.pdf", EXE_BYTES, "application/pdf")
    response = client.post(url, {**form, "files": [bad]})
    html = response.content.decode()
    assert response.status_code == 200 and "stulya.pdf" in html and 'value="О мебели"' in html
    assert not Memo.objects.exists()
    good = SimpleUploadedFile("stulya.pdf", pdf_bytes("stulya"), "application/pdf")
    response = client.post(url, {**form, "files": [good]}, follow=True)
    html = response.content.decode()
    assert "Черновик" in html and "stulya.pdf" in html
    response = client.post(url, {**form, "addressee": world["seller2"].pk})
    assert "Выберите корректный вариант" in response.content.decode()


def test_only_the_author_edits_and_only_while_draft_or_returned(client, world):
    memo = write(world)
    client.force_login(world["sales_head"])  # sees it (head above), may not edit
    response = client.get(reverse("memos:edit", args=[memo.pk]), follow=True)
    assert "Изменить записку может только автор" in response.content.decode()
    client.force_login(world["clerk"])
    url = reverse("memos:edit", args=[memo.pk])
    data = {"addressee": world["sales_head"].pk, "subject": "Новая тема", "text": "Текст"}
    assert client.post(url, data).status_code == 302
    assert Memo.objects.get(pk=memo.pk).subject == "Новая тема"
    services.memo_submit(memo_id=memo.pk, user=world["clerk"])
    response = client.post(url, {**data, "subject": "Ещё"}, follow=True)
    assert Memo.objects.get(pk=memo.pk).subject == "Новая тема"


def test_card_actions_submit_return_resubmit_with_note_and_withdraw(client, world):
    """GIVEN a draft WHEN the author presses «Отправить» THEN it gets its number; returned by
    the head, «Отправить повторно» without a note is refused, with one it goes on; «Отозвать»
    makes it a draft again."""
    memo = write(world, author="seller", to="sales_head")
    client.force_login(world["seller"])
    card = reverse("memos:detail", args=[memo.pk])
    response = client.post(reverse("memos:submit", args=[memo.pk]), follow=True)
    assert "Служебная записка отправлена." in response.content.decode()
    task = open_task(memo, world["sales_head"])
    client.force_login(world["sales_head"])
    response = client.post(
        reverse("workflow:task-detail", args=[task.pk]),
        {"decision": "return", "comment": "Добавьте сумму"},
        follow=True,
    )
    assert "возвращена автору на доработку" in response.content.decode()
    client.force_login(world["seller"])
    html = client.get(card).content.decode()
    assert "Добавьте сумму" in html and 'data-testid="revision-note-input"' in html
    response = client.post(reverse("memos:submit", args=[memo.pk]), {"note": ""}, follow=True)
    assert "Напишите, что исправлено" in response.content.decode()
    client.post(reverse("memos:submit", args=[memo.pk]), {"note": "Сумма 12 000 ₽"})
    assert Memo.objects.get(pk=memo.pk).status == MemoStatus.REVIEW
    assert "Сумма 12 000 ₽" in client.get(card).content.decode()
    client.post(reverse("memos:withdraw", args=[memo.pk]))
    assert Memo.objects.get(pk=memo.pk).status == MemoStatus.DRAFT


def _decision_post(executors=(), **fields):
    data = {"decision": "approve", "resolution": "Сделать", "comment": "", **fields}
    for n, (person, day) in enumerate(executors, 1):
        data[f"executor{n}_0"], data[f"executor{n}_1"] = person.pk, day.isoformat()
    return data


def test_decision_on_the_task_page_validates_executors(client, world):
    """GIVEN the general director's decision task WHEN he names someone twice, himself without
    ticking «Назначаю исполнителем себя», a past deadline, or declines without a reason THEN
    each is refused with its message; WHEN he ticks it THEN he may execute himself."""
    memo = write(world, author="lawyer")
    services.memo_submit(memo_id=memo.pk, user=world["lawyer"])
    task = open_task(memo, world["gendir"])
    url = reverse("workflow:task-detail", args=[task.pk])
    client.force_login(world["gendir"])
    page = client.get(url).content.decode()
    assert 'name="executor1_0"' in page and 'name="executor4_1"' in page
    seller, me = world["seller"], world["gendir"]
    cases = [
        (_decision_post([(seller, in_days(1)), (seller, in_days(2))]), "уже назначен выше"),
        (_decision_post([(me, in_days(1))]), "отметьте «Назначаю исполнителем себя»"),
        (_decision_post([(seller, in_days(-1))]), "не раньше сегодняшнего дня"),
        (_decision_post(resolution=""), "Напишите резолюцию."),
        (_decision_post(decision="reject"), "почему возвращаете или отклоняете"),
    ]
    for data, message in cases:
        html = client.post(url, data).content.decode()
        assert message in html, message
        assert Memo.objects.get(pk=memo.pk).status == MemoStatus.REVIEW
    data = _decision_post([(me, in_days(1)), (seller, in_days(3))], self_execute="on")
    response = client.post(url, data, follow=True)
    assert "Служебная записка утверждена." in response.content.decode()
    assert Memo.objects.get(pk=memo.pk).status == MemoStatus.EXECUTION
    assert open_task(memo, me).kind == "workflow.route_execute"


def _cells(response) -> str:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)


def test_export_lists_visible_memos_and_keeps_formulas_as_text(client, world):
    """GIVEN memos whose subjects start with = + - @ WHEN exported THEN each cell is text (no
    formula), and only memos the user may see are in the file."""
    for subject in ('=HYPERLINK("http://evil")', "+7 999", "-1", "@SUM(A1)"):
        write(world, subject=subject)
    write(world, author="jurist", to="lawyer", subject="Чужая записка")
    client.force_login(world["clerk"])
    response = client.get(reverse("memos:export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    subjects = {row[5].value: row[5] for row in sheet.iter_rows(min_row=2)}
    assert set(subjects) == {'=HYPERLINK("http://evil")', "+7 999", "-1", "@SUM(A1)"}
    assert all(cell.data_type == "s" for cell in subjects.values())
    assert all(cell.quotePrefix for cell in subjects.values())


def test_register_filters_sort_and_pages(client, world, settings):
    """GIVEN memos of the clerk, one to the clerk's head, one sent WHEN filtering by «Мои»,
    «Адресованные мне», status, number or subject, period and sorting by subject THEN the
    register shows the right rows; 27 memos make a second page."""
    sent = write(world, subject="Про отпуск")
    services.memo_submit(memo_id=sent.pk, user=world["clerk"])
    sent = Memo.objects.get(pk=sent.pk)
    write(world, subject="Бумага для принтера")
    write(world, author="rent_head", to="sales_head", subject="Уборка склада")
    client.force_login(world["rent_head"])
    assert "Уборка склада" in _register(client, scope="mine")
    assert "Про отпуск" not in _register(client, scope="mine")
    assert "Про отпуск" in _register(client)  # his subordinate's, through the task
    client.force_login(world["sales_head"])
    html = _register(client, scope="to_me")
    assert "Уборка склада" in html and "Бумага для принтера" not in html
    client.force_login(world["clerk"])
    assert "Бумага" not in _register(client, status="approval")
    assert "Про отпуск" in _register(client, q=sent.number[3:7])
    assert "Про отпуск" in _register(client, q="ОТПУСК")
    assert "Про отпуск" not in _register(client, date_to=in_days(-1).isoformat())
    html = _register(client, sort="subject")
    assert html.index("Бумага для принтера") < html.index("Про отпуск")
    html = _register(client, sort="-subject")
    assert html.index("Бумага для принтера") > html.index("Про отпуск")
    for n in range(26):
        write(world, subject=f"Записка {n}")
    first = _register(client)
    assert 'data-testid="next-page"' in first
    second = _register(client, page=2)
    assert second.count('data-testid="register-row"') == 3 and "next-page" not in second


@pytest.mark.parametrize("who", ["clerk", "sales_head", "gendir"])
def test_register_runs_a_constant_number_of_queries(
    client, world, who, django_assert_max_num_queries
):
    """GIVEN 2 then 20 visible memos (some sent) THEN the register page runs the same number
    of queries for the author, a head and the general director."""

    def fill(count):
        for n in range(count):
            memo = write(world, subject=f"Записка {n}")
            if n % 2:
                services.memo_submit(memo_id=memo.pk, user=world["clerk"])

    client.force_login(world[who])
    fill(2)
    with django_assert_max_num_queries(20) as few:
        assert client.get(reverse("memos:list")).status_code == 200
    fill(18)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("memos:list")).status_code == 200
