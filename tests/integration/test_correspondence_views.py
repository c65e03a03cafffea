"""Pages of incoming correspondence: who may open what, the registration form, the register."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from correspondence.models import IncomingLetter, LetterFile
from correspondence.services.incoming import KIND_EXECUTE
from correspondence.testing import build_world, control_in, pdf_upload, register
from storage.models import StagedFile, StoredFile
from storage.testing import EXE_BYTES
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


def _form_data(world, **overrides):
    data = {
        "legal_entity": world["entity"].pk,
        "counterparty": world["government"].pk,
        "sender_number": "78-12-345",
        "sender_date": timezone.localdate().isoformat(),
        "subject": "О проверке",
        "summary": "",
        "received_on": timezone.localdate().isoformat(),
        "control_date": control_in(5).isoformat(),
        "responsible": world["seller"].pk,
    }
    data.update(overrides)
    return data


# --- permissions ---------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_everywhere(client, letter):
    """GIVEN nobody logged in WHEN any page of the app is opened THEN the login page follows."""
    for url in [
        reverse("correspondence:incoming-list"),
        reverse("correspondence:incoming-register"),
        reverse("correspondence:incoming-detail", args=[letter.pk]),
        reverse("correspondence:incoming-export"),
        reverse("correspondence:thread-detail", args=[letter.thread_id]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_an_outsider_gets_404_for_the_letter_its_thread_and_its_files(client, world, letter):
    """GIVEN an employee with no task on the letter and not above anyone who has one
    WHEN they open its card, its thread or its file by guessing the URL
    THEN each answers 404, and the register does not list it."""
    client.force_login(world["outsider"])
    stored = LetterFile.objects.get(incoming=letter).stored_file
    assert client.get(letter.get_absolute_url()).status_code == 404
    assert client.get(letter.thread.get_absolute_url()).status_code == 404
    assert client.get(reverse("storage:download", args=[stored.pk])).status_code == 404
    response = client.get(reverse("correspondence:incoming-list"))
    assert letter.reg_number not in response.content.decode()


@pytest.mark.parametrize(
    "who", ["office", "seller", "director", "sales_head", "gendir", "all_correspondence"]
)
def test_those_who_may_see_the_letter_open_its_card_and_files(client, world, letter, who):
    """GIVEN the tenant letter (registrar office, executor seller, director takes part)
    WHEN the registrar, a participant, the participant's head, the GD or a holder of the role
    «all correspondence» opens it THEN the card and its file are shown."""
    if who == "all_correspondence":
        from tests.factories import employee

        user = employee("archivist", world["departments"]["legal"], roles=["all_correspondence"])
    else:
        user = world[who]
    client.force_login(user)
    response = client.get(letter.get_absolute_url())
    assert response.status_code == 200
    assert letter.reg_number in response.content.decode()
    stored = LetterFile.objects.get(incoming=letter).stored_file
    assert client.get(reverse("storage:download", args=[stored.pk])).status_code == 200


def test_only_registrars_may_register(client, world):
    """GIVEN a manager WHEN they open the registration form THEN 403; the registrar gets it."""
    client.force_login(world["seller"])
    assert client.get(reverse("correspondence:incoming-register")).status_code == 403
    client.force_login(world["office"])
    response = client.get(reverse("correspondence:incoming-register"))
    assert response.status_code == 200
    assert "Зарегистрировать входящее" in response.content.decode()


# --- registration form ---------------------------------------------------------------------------


def test_registering_through_the_form_opens_the_new_card(client, world):
    """GIVEN the office manager WHEN she submits the form with a PDF
    THEN the letter is registered with the file and she lands on its card."""
    client.force_login(world["office"])
    response = client.post(
        reverse("correspondence:incoming-register"),
        {**_form_data(world), "files": [pdf_upload("mchs.pdf")]},
    )
    letter = IncomingLetter.objects.get()
    assert response.status_code == 302
    assert response["Location"] == letter.get_absolute_url()
    assert letter.letter_files.get().stored_file.original_name == "mchs.pdf"
    page = client.get(response["Location"]).content.decode()
    assert "mchs.pdf" in page
    assert "На рассмотрении" in page


def test_a_bad_form_keeps_fields_and_already_uploaded_files(client, world):
    """GIVEN the form with a missing subject and a valid PDF
    WHEN it is submitted THEN it is refused in Russian, the typed fields are still there and the
    PDF is shown as already chosen (staged behind a signed token); WHEN the subject is added and
    the form re-sent with only that token THEN the letter is registered with that PDF."""
    client.force_login(world["office"])
    response = client.post(
        reverse("correspondence:incoming-register"),
        {**_form_data(world, subject=""), "files": [pdf_upload("skan.pdf")]},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Обязательное поле" in page
    assert "78-12-345" in page
    assert "skan.pdf" in page and "Уже выбранные файлы" in page
    stored = StoredFile.objects.get(original_name="skan.pdf")
    assert StagedFile.objects.get().stored_file == stored
    token = re.search(r'name="files_staged" value="([^"]+)"', page).group(1)
    assert not IncomingLetter.objects.exists()

    response = client.post(
        reverse("correspondence:incoming-register"),
        {**_form_data(world, subject="О проверке"), "files_staged": token},
    )
    assert response.status_code == 302
    assert IncomingLetter.objects.get().letter_files.get().stored_file == stored
    assert not StagedFile.objects.exists()


def test_a_refused_file_is_named_and_the_good_one_kept(client, world):
    """GIVEN a PDF and an .exe disguised as .pdf WHEN the form is sent
    THEN the fake is refused with a message naming it and the real PDF is kept for the retry."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world["office"])
    fake = SimpleUploadedFile("virus.pdf", EXE_BYTES, content_type="application/pdf")
    response = client.post(
        reverse("correspondence:incoming-register"),
        {**_form_data(world), "files": [pdf_upload("good.pdf"), fake]},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "virus.pdf" in page and "не принят" in page
    assert "good.pdf" in page
    assert not IncomingLetter.objects.exists()


def test_someone_elses_file_id_cannot_be_carried(client, world):
    """GIVEN a file uploaded by another user WHEN its id is smuggled into the form (the old
    kept_files field, or as a staged-file token)
    THEN it is ignored and the form asks for a file."""
    client.force_login(world["office"])
    foreign = StoredFile.objects.create(
        original_name="x.pdf",
        size=1,
        sha256="0" * 64,
        content_type="application/pdf",
        uploaded_by=world["seller"],
        file="files/x.pdf",
    )
    response = client.post(
        reverse("correspondence:incoming-register"),
        {**_form_data(world), "kept_files": [foreign.pk], "files_staged": str(foreign.pk)},
    )
    assert response.status_code == 200
    assert "Приложите хотя бы один файл" in response.content.decode()
    assert not IncomingLetter.objects.exists()


def test_duplicate_warns_with_a_link_and_may_be_confirmed(client, world, letter):
    """GIVEN a registered letter from a counterparty with number 15 of a date
    WHEN the same counterparty, number and date are registered again
    THEN a warning links to the existing letter; WHEN the user confirms THEN it is registered."""
    IncomingLetter.objects.filter(pk=letter.pk).update(
        sender_number="15", sender_date=timezone.localdate()
    )
    client.force_login(world["office"])
    data = _form_data(world, counterparty=world["tenant"].pk, sender_number="15")
    response = client.post(
        reverse("correspondence:incoming-register"), {**data, "files": [pdf_upload()]}
    )
    page = response.content.decode()
    assert "Такое письмо уже зарегистрировано" in page
    assert letter.get_absolute_url() in page
    token = re.search(r'name="files_staged" value="([^"]+)"', page).group(1)
    response = client.post(
        reverse("correspondence:incoming-register"),
        {**data, "files_staged": token, "confirm_duplicate": "on"},
    )
    assert response.status_code == 302
    assert IncomingLetter.objects.count() == 2


def test_counterparty_picker_searches_and_creates_inline(client, world):
    """GIVEN the registrar WHEN she types part of a name THEN matching counterparties are offered;
    WHEN she creates a new one inline THEN it is created and chosen in the form."""
    client.force_login(world["office"])
    response = client.get(reverse("correspondence:counterparty-search"), {"q": "Лифт"})
    assert "ООО «ЛифтСервис»" in response.content.decode()
    response = client.post(
        reverse("correspondence:counterparty-create"),
        {"new-name": "ООО «Новый арендатор»", "new-category": "tenant", "new-inn": ""},
    )
    page = response.content.decode()
    assert "ООО «Новый арендатор»" in page
    assert 'name="counterparty" value="' in page
    client.force_login(world["seller"])
    assert client.get(reverse("correspondence:counterparty-search"), {"q": "Л"}).status_code == 403


# --- register ------------------------------------------------------------------------------------


def test_register_filters_and_sorts(client, world, letter):
    """GIVEN a tenant letter and a government letter WHEN the register is filtered by category
    or searched by counterparty name THEN only the matching letter is listed."""
    gov = register(world["office"], entity=world["entity"], counterparty=world["government"])
    client.force_login(world["gendir"])
    url = reverse("correspondence:incoming-list")
    page = client.get(url, {"category": "government"}).content.decode()
    assert gov.reg_number in page and letter.reg_number not in page
    page = client.get(url, {"q": "Северный"}).content.decode()
    assert letter.reg_number in page and gov.reg_number not in page
    page = client.get(url, {"sort": "counterparty"}).content.decode()
    assert page.index("ГУ МЧС") < page.index("ООО «Северный ветер»")


def test_register_runs_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    """GIVEN 3 letters, then 25 WHEN the register is opened THEN the query count does not grow."""
    client.force_login(world["office"])
    url = reverse("correspondence:incoming-list")
    for _ in range(3):
        register(world["office"], entity=world["entity"], counterparty=world["tenant"])
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    for _ in range(22):
        register(world["office"], entity=world["entity"], counterparty=world["tenant"])
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(url)
    assert len(response.context["page"].object_list) == 25
    assert len(many.captured_queries) == len(few.captured_queries)


def test_register_exports_the_filtered_letters_to_excel(client, world, letter):
    """GIVEN two letters WHEN the register filtered to tenants is exported
    THEN an .xlsx with a header and one row of that letter is downloaded."""
    register(world["office"], entity=world["entity"], counterparty=world["government"])
    client.force_login(world["gendir"])
    response = client.get(reverse("correspondence:incoming-export"), {"category": "tenant"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Рег. номер"
    assert [r[0] for r in rows[1:]] == [letter.reg_number]


def test_card_shows_participants_and_comment_is_added(client, world, letter):
    """GIVEN the tenant letter WHEN the director opens the card THEN the executor's task and
    deadline are listed, the route's one stage is current and waits for the executor, her own
    review is «для сведения»; WHEN she comments THEN the comment appears on the card."""
    client.force_login(world["director"])
    response = client.get(letter.get_absolute_url())
    page = response.content.decode()
    assert "Исполнение входящего" in page
    route = response.context["route"]
    assert [s.state for s in route.current.stages] == ["current"]
    assert [s.participant for s in route.waiting] == [world["seller"]]
    assert [s.participant for s in route.informational] == [world["director"]]
    assert "Для сведения, не задерживает документ:" in page
    assert tasks_of(letter).get(kind=KIND_EXECUTE).due_at is not None
    client.post(
        reverse("correspondence:incoming-comment", args=[letter.pk]), {"text": "Прошу ускорить"}
    )
    page = client.get(letter.get_absolute_url()).content.decode()
    assert "Прошу ускорить" in page


def test_card_still_opens_after_a_system_reminder(client, world, letter):
    """GIVEN the letter's executor was reminded by the timer sweep (a history entry without actor)
    WHEN the card is opened THEN it is overdue and offers «Все события»; there the reminder is
    attributed to «Система»."""
    import time_machine

    from workflow.jobs import timers_sweep

    task = tasks_of(letter).get(kind=KIND_EXECUTE)
    client.force_login(world["office"])
    with time_machine.travel(task.due_at + dt.timedelta(minutes=5), tick=False):
        timers_sweep()
        page = client.get(letter.get_absolute_url()).content.decode()
        everything = client.get(letter.get_absolute_url(), {"history": "all"}).content.decode()
    assert "Просрочено" in page
    assert "Все события" in page
    assert "Система" in everything


def test_outgoing_draft_is_visible_to_its_author_and_to_who_sees_the_incoming(
    client, world, letter
):
    """GIVEN a reply draft by the seller to the tenant letter
    WHEN the seller, the registrar and an outsider open it THEN 200, 200, 404."""
    from correspondence.services.incoming import NO_REPLY, REPLY_NEEDED, execute_complete

    assert NO_REPLY != REPLY_NEEDED
    execute_complete(
        task_id=tasks_of(letter).get(kind=KIND_EXECUTE).pk,
        user=world["seller"],
        data={"decision": REPLY_NEEDED, "reply_text": "Ответ", "reply_files": [pdf_upload()]},
    )
    reply = letter.replies.get()
    for who, status in (("seller", 200), ("office", 200), ("outsider", 404)):
        client.force_login(world[who])
        assert client.get(reply.get_absolute_url()).status_code == status, who
    client.force_login(world["seller"])
    page = client.get(letter.get_absolute_url()).content.decode()
    assert reply.get_absolute_url() in page
    assert "Ответ готовится" in page


def test_a_letter_answering_our_outgoing_joins_its_thread(client, world, letter):
    """GIVEN our registered outgoing letter to the tenant (in the thread of the first letter)
    WHEN the tenant's answer is registered «в ответ на» it
    THEN the new letter is in the same thread and linked to the outgoing letter."""
    from correspondence.models import OutgoingLetter

    outgoing = OutgoingLetter.objects.create(
        legal_entity=world["entity"],
        counterparty=world["tenant"],
        subject="Об оплате",
        author=world["seller"],
        executor=world["seller"],
        thread=letter.thread,
        reg_number="Исх-0001/БЦ/2026",
        sent_on=timezone.localdate(),  # only letters sent to the counterparty may be answered
    )
    client.force_login(world["office"])
    response = client.post(
        reverse("correspondence:incoming-register"),
        {
            **_form_data(world, counterparty=world["tenant"].pk, sender_number="77"),
            "answers_outgoing": outgoing.pk,
            "files": [pdf_upload()],
        },
    )
    assert response.status_code == 302
    answer = IncomingLetter.objects.get(sender_number="77")
    assert answer.thread == letter.thread
    assert answer.answers_outgoing == outgoing
    assert outgoing.answers.get() == answer


def test_without_a_journal_the_form_says_so_and_keeps_the_file(client, world):
    """GIVEN no active incoming journal WHEN a letter is registered
    THEN the form says to call the administrator and the PDF stays attached."""
    from correspondence.models import RegistrationJournal

    RegistrationJournal.objects.update(is_active=False)
    client.force_login(world["office"])
    response = client.post(
        reverse("correspondence:incoming-register"),
        {**_form_data(world), "files": [pdf_upload("keep.pdf")]},
    )
    page = response.content.decode()
    assert "Не настроен журнал регистрации" in page
    assert "keep.pdf" in page
    assert not IncomingLetter.objects.exists()


def test_admin_pages_of_journals_routes_and_letters_open(admin_client, letter):
    """GIVEN a registered letter WHEN the administrator opens the admin lists and the letter
    THEN every page answers 200 (journals with counters, route rules with steps, letters)."""
    for name in ("registrationjournal", "routerule", "incomingletter", "outgoingletter"):
        assert (
            admin_client.get(reverse(f"admin:correspondence_{name}_changelist")).status_code == 200
        )
    assert (
        admin_client.get(
            reverse("admin:correspondence_incomingletter_change", args=[letter.pk])
        ).status_code
        == 200
    )
    from correspondence.models import RouteRule

    rule = RouteRule.objects.first()
    assert (
        admin_client.get(
            reverse("admin:correspondence_routerule_change", args=[rule.pk])
        ).status_code
        == 200
    )


def test_overdue_and_project_filters(client, world, letter):
    """GIVEN an overdue letter of a project and a letter on time outside it
    WHEN the register is filtered by «только просроченные» or by the project
    THEN only the first is listed."""
    from correspondence.models import Project

    project = Project.objects.create(name="Фасад")
    late = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["contractor"],
        project=project,
        received_on=timezone.localdate() - dt.timedelta(days=20),
        control_date=timezone.localdate() - dt.timedelta(days=1),
    )
    client.force_login(world["gendir"])
    url = reverse("correspondence:incoming-list")
    for params in ({"overdue": "on"}, {"project": project.pk}):
        page = client.get(url, params).content.decode()
        assert late.reg_number in page and letter.reg_number not in page, params
