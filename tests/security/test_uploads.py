"""Hostile uploads on every form that accepts files: every limit is checked before anything is
stored, a refused form's good files wait behind a signed token for their uploader only, the
same content is never attached twice, and staged files nobody claimed are swept.

The hostile corpus is generated here: a disguised executable, markup posing as text or an
image, macro and archive "documents", an installer, empty, oversize and zip-bomb files."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
import time_machine
from django.core import signing
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from contracts import services as contract_services
from contracts.models import Contract, ContractFile
from contracts.testing import new_contract, theatre
from correspondence.models import IncomingLetter, LetterFile, OutgoingLetter
from correspondence.services.incoming import KIND_EXECUTE
from correspondence.testing import build_world, control_in, register
from storage.jobs import staged_files_sweep
from storage.models import StagedFile, StoredFile
from storage.staging import SALT, staged_token_make, uploads_stage
from storage.testing import EXE_BYTES, docx_bytes, ole_bytes, pdf_bytes, upload, zip_bytes
from tests.factories import CounterpartyFactory
from workflow.selectors import tasks_of

MAX_FILES = 20


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world(org):
    world = build_world(org)
    world.update(theatre(org))
    return world


def pdf(name: str, text: str = "Scan"):
    return upload(name, pdf_bytes(text), "application/pdf")


def _zip_bomb() -> bytes:
    """A "docx" whose manifest inflates to 30 MB of spaces (a few KB on the wire)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b" " * (30 * 1024 * 1024))
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


HOSTILE = {
    "virus.pdf": (EXE_BYTES, "не принят"),
    "readme.txt": (b"<html><body><script>alert(1)</script></body></html>", "не принят"),
    "logo.png": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "не принят"),
    "run.txt": (b"#!/bin/sh\nrm -rf ~\n", "не принят"),
    "macros.docx": (docx_bytes(macros=True), "не принят"),
    "archive.docx": (zip_bytes(), "не принят"),
    "setup.doc": (ole_bytes("MsiDigitalSignatureEx"), "не принят"),
    "bomb.docx": (_zip_bomb(), "не принят"),
    "empty.pdf": (b"", "пуст"),
    "huge.pdf": (b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 1), "слишком большой"),
}


# --- the forms that accept files -----------------------------------------------------------------


def _incoming(world, client, files, **extra):
    client.force_login(world["office"])
    data = {
        "legal_entity": world["entity"].pk,
        "counterparty": world["government"].pk,
        "subject": "О проверке",
        "received_on": timezone.localdate().isoformat(),
        "control_date": control_in(5).isoformat(),
        "responsible": world["seller"].pk,
        **extra,
    }
    if files:
        data["files"] = files
    return client.post(reverse("correspondence:incoming-register"), data)


def _incoming_documents():
    return [list(letter.letter_files.all()) for letter in IncomingLetter.objects.all()]


def _outgoing(world, client, files, **extra):
    client.force_login(world["seller"])
    data = {
        "legal_entity": world["entity"].pk,
        "counterparty": world["tenant"].pk,
        "subject": "О продлении аренды",
        "text": "Просим продлить.",
        "document_date": timezone.localdate().isoformat(),
        "executor": world["seller"].pk,
        **extra,
    }
    if files:
        data["files"] = files
    return client.post(reverse("correspondence:outgoing-create"), data)


def _outgoing_documents():
    return [list(letter.letter_files.all()) for letter in OutgoingLetter.objects.all()]


def _contract_create(world, client, files, **extra):
    client.force_login(world["seller"])
    data = {
        "contract_type": world["expense"].pk,
        "subject": "Микрофоны",
        "subject_category": world["equipment"].pk,
        "counterparty": CounterpartyFactory(name="ООО «Звук»").pk,
        "amount": "99000",
        "fund": world["budget"].pk,
        **extra,
    }
    if files:
        data["files"] = files
    return client.post(reverse("contracts:contract-create"), data)


def _contract_documents():
    return [list(c.files.all()) for c in Contract.objects.all()]


def _contract_card(world, client, files, **extra):
    contract = world.get("card_contract") or new_contract(
        world, contract_type=world["income"], fund=world["comfund"]
    )
    world["card_contract"] = contract
    client.force_login(world["seller"])
    data = dict(extra)
    if files:
        data["files"] = files
    return client.post(reverse("contracts:files-add", args=[contract.pk]), data)


def _card_documents():
    return [list(ContractFile.objects.all())] if ContractFile.objects.exists() else []


def execute_task_for(world):
    """The seller's «Исполнение входящего» task on a tenant's letter."""
    incoming = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["tenant"],
        responsible=world["seller"],
    )
    return tasks_of(incoming).get(kind=KIND_EXECUTE, status="open")


def _reply(world, client, files, **extra):
    task = world.get("execute_task") or execute_task_for(world)
    world["execute_task"] = task
    client.force_login(world["seller"])
    data = {"decision": "reply", "reply_text": "Согласны", **extra}
    if files:
        data["reply_files"] = files
    return client.post(reverse("workflow:task-detail", args=[task.pk]), data)


def _reply_documents():
    return [
        list(letter.letter_files.all())
        for letter in OutgoingLetter.objects.filter(in_reply_to__isnull=False)
    ]


FORMS = {
    # name: (post, documents with their files, file field, extra data that makes it refused)
    "incoming": (_incoming, _incoming_documents, "files", {"subject": ""}),
    "outgoing": (_outgoing, _outgoing_documents, "files", {"subject": ""}),
    "contract": (_contract_create, _contract_documents, "files", {"amount": "-1"}),
    "contract-card": (_contract_card, _card_documents, "files", None),
    "reply": (_reply, _reply_documents, "reply_files", {"reply_text": ""}),
}


def _prepare(world) -> None:
    """The letter and the contract the reply and card forms work on, made before counting."""
    world["execute_task"] = execute_task_for(world)
    world["card_contract"] = new_contract(
        world, contract_type=world["income"], fund=world["comfund"]
    )


def _token(response, field: str) -> str:
    found = re.search(rf'name="{field}_staged" value="([^"]*)"', response.content.decode())
    assert found, "the refused form carries a staged-files token"
    return found.group(1)


# --- limits before storing -----------------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
def test_too_many_files_are_refused_and_nothing_is_stored(client, world, form):
    """GIVEN 25 valid PDFs in one submission (the limit is 20)
    THEN the form is refused with the Russian limit, not one file is stored or staged and no
    document is created; sending the form again without files attaches none of them."""
    post, documents, field, _refusing = FORMS[form]
    _prepare(world)
    before = StoredFile.objects.count()
    documents_before = documents()
    response = post(world, client, [pdf(f"скан {i}.pdf", f"page {i}") for i in range(25)])
    assert response.status_code in (200, 400)
    assert f"Можно приложить не больше {MAX_FILES} файлов за раз" in response.content.decode()
    assert StoredFile.objects.count() == before
    assert not StagedFile.objects.exists()
    assert documents() == documents_before
    post(world, client, [], **{f"{field}_staged": _token(response, field)})
    assert StoredFile.objects.count() == before  # nothing of the 25 came back


def test_staged_and_new_files_together_keep_to_the_limit(client, world):
    """GIVEN 15 files kept from a refused form WHEN 10 more are sent with the token
    THEN the form says at most 20, and nothing new is stored."""
    response = _incoming(world, client, [pdf(f"{i}.pdf", f"p{i}") for i in range(15)], subject="")
    assert StagedFile.objects.count() == 15
    token = _token(response, "files")
    response = _incoming(
        world, client, [pdf(f"new {i}.pdf", f"n{i}") for i in range(10)], files_staged=token
    )
    assert "Можно приложить не больше 20 файлов за раз" in response.content.decode()
    assert StoredFile.objects.count() == 15 and not IncomingLetter.objects.exists()


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_file_is_refused_by_name_and_never_stored(client, world, settings, name):
    """GIVEN a good PDF and one hostile file in the registration form
    THEN the hostile one is named with a Russian reason and never stored; the good one is kept
    (staged) for the retry and no letter is registered."""
    settings.ARGO_UPLOAD_MAX_MB = 1
    data, reason = HOSTILE[name]
    response = _incoming(world, client, [pdf("good.pdf"), upload(name, data)])
    page = response.content.decode()
    assert response.status_code == 200
    assert name in page and reason in page
    assert not StoredFile.objects.filter(original_name__startswith=name.rsplit(".", 1)[0]).exists()
    assert [s.stored_file.original_name for s in StagedFile.objects.all()] == ["good.pdf"]
    assert not IncomingLetter.objects.exists()


# --- staging behind a signed token ---------------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
def test_a_refused_form_keeps_good_files_and_the_token_attaches_them(client, world, form):
    """GIVEN a refused submission with a good PDF (another field wrong, or a disguised .exe
    beside it on the contract card)
    THEN the PDF is staged and listed on the form; sending the form again with only the token
    attaches exactly that PDF and nothing is left staged."""
    post, documents, field, refusing = FORMS[form]
    files = [pdf("Скан договора.pdf")]
    if refusing is None:
        files.append(upload("virus.pdf", EXE_BYTES))
    response = post(world, client, files, **(refusing or {}))
    assert response.status_code in (200, 400)
    assert "Скан договора.pdf" in response.content.decode()
    staged = StagedFile.objects.get().stored_file
    assert staged.original_name == "Скан договора.pdf"
    response = post(world, client, [], **{f"{field}_staged": _token(response, field)})
    assert response.status_code == 302
    assert [[link.stored_file for link in files] for files in documents()] == [[staged]]
    assert not StagedFile.objects.exists()


def test_a_staged_file_can_be_removed_before_resending(client, world):
    """GIVEN two kept files WHEN one is ticked «убрать» THEN only the other is attached."""
    response = _incoming(world, client, [pdf("a.pdf", "a"), pdf("b.pdf", "b")], subject="")
    removed = StoredFile.objects.get(original_name="b.pdf")
    token = _token(response, "files")
    _incoming(world, client, [], files_staged=token, files_staged_remove=removed.pk)
    letter = IncomingLetter.objects.get()
    assert [link.stored_file.original_name for link in letter.letter_files.all()] == ["a.pdf"]


def test_a_token_works_only_for_its_user_unchanged_and_within_a_day(client, world):
    """GIVEN a token from the seller's refused draft
    WHEN another user sends it, or it is altered, or it is 25 hours old
    THEN nothing is attached; the seller's own fresh token still works."""
    response = _outgoing(world, client, [pdf("Письмо.pdf")], subject="")
    token = _token(response, "files")
    staged = StagedFile.objects.get().stored_file
    client.force_login(world["office"])
    response = client.post(
        reverse("correspondence:outgoing-create"),
        {
            "legal_entity": world["entity"].pk,
            "counterparty": world["tenant"].pk,
            "subject": "Чужой токен",
            "text": "Текст",
            "document_date": timezone.localdate().isoformat(),
            "executor": world["office"].pk,
            "files_staged": token,
        },
    )
    assert OutgoingLetter.objects.get(subject="Чужой токен").letter_files.count() == 0
    _outgoing(world, client, [], subject="Изменённый", files_staged=token[:-2] + "xx")
    assert OutgoingLetter.objects.get(subject="Изменённый").letter_files.count() == 0
    with time_machine.travel(timezone.now() + dt.timedelta(hours=25)):
        _outgoing(world, client, [], subject="Старый", files_staged=token)
    assert OutgoingLetter.objects.get(subject="Старый").letter_files.count() == 0
    _outgoing(world, client, [], subject="Свой", files_staged=token)
    own = OutgoingLetter.objects.get(subject="Свой")
    assert [link.stored_file for link in own.letter_files.all()] == [staged]


def test_a_contract_file_cannot_be_pulled_into_a_letter(client, world):
    """GIVEN the seller's own file attached to a contract
    WHEN she names its id in a draft (the old «kept files» field, a bare id, or even a
    correctly signed token naming it)
    THEN the letter is saved without it: only files staged for her by a refused form can be
    re-attached, so a contract file never becomes visible through a letter."""
    contract = new_contract(world, contract_type=world["income"], fund=world["comfund"])
    contract_services.contract_files_add(
        contract_id=contract.pk, user=world["seller"], uploads=[pdf("Смета.pdf")]
    )
    secret = ContractFile.objects.get().stored_file
    forged = signing.dumps({"u": world["seller"].pk, "f": [secret.pk]}, salt=SALT, compress=True)
    for i, smuggled in enumerate([{"kept_files": secret.pk}, {"files_staged": str(secret.pk)}]):
        _outgoing(world, client, [], subject=f"Попытка {i}", **smuggled)
    _outgoing(world, client, [], subject="Подписанный", files_staged=forged)
    assert OutgoingLetter.objects.count() == 3
    assert not LetterFile.objects.filter(stored_file=secret).exists()


# --- the same content twice ----------------------------------------------------------------------


def test_the_same_content_twice_in_one_submission_is_refused(client, world):
    """GIVEN one scan attached twice under two names THEN the form says so in Russian, and only
    one copy is kept for the retry."""
    same = pdf_bytes("Same")
    response = _incoming(world, client, [upload("a.pdf", same), upload("копия.pdf", same)])
    page = response.content.decode()
    assert "Файл «копия.pdf» совпадает по содержимому с «a.pdf»" in page
    assert not IncomingLetter.objects.exists()
    assert [s.stored_file.original_name for s in StagedFile.objects.all()] == ["a.pdf"]


def test_a_file_already_on_the_contract_is_not_attached_again(client, world):
    """GIVEN a contract with «Счёт.pdf» WHEN the same content is attached again as «Счёт
    (1).pdf» THEN the card says it is already attached and the contract keeps one copy."""
    invoice = pdf_bytes("Invoice")  # one PDF: fpdf stamps the time into each new one
    _contract_card(world, client, [upload("Счёт.pdf", invoice)])
    response = _contract_card(world, client, [upload("Счёт (1).pdf", invoice)])
    assert response.status_code == 400
    assert "Файл «Счёт (1).pdf» уже приложен к этому документу" in response.content.decode()
    assert ContractFile.objects.count() == 1


def test_the_contract_service_refuses_a_duplicate_under_its_lock(world):
    """Two submissions that both passed their forms: the second one is refused by the service
    (it holds the contract's row lock), not attached."""
    from django.core.exceptions import ValidationError

    contract = new_contract(world, contract_type=world["income"], fund=world["comfund"])
    same = pdf_bytes("x")
    contract_services.contract_files_add(
        contract_id=contract.pk, user=world["seller"], uploads=[upload("a.pdf", same)]
    )
    with pytest.raises(ValidationError, match="уже приложен к этому документу"):
        contract_services.contract_files_add(
            contract_id=contract.pk, user=world["seller"], uploads=[upload("b.pdf", same)]
        )
    assert contract.files.count() == 1


def test_a_draft_edit_refuses_a_file_already_on_the_letter(client, world):
    """GIVEN a draft with «Письмо.pdf» WHEN its author adds the same content again
    THEN the form says it is already attached, the draft keeps one file."""
    letter_pdf = pdf_bytes("Letter")
    _outgoing(world, client, [upload("Письмо.pdf", letter_pdf)])
    letter = OutgoingLetter.objects.get()
    response = client.post(
        reverse("correspondence:outgoing-edit", args=[letter.pk]),
        {
            "legal_entity": world["entity"].pk,
            "counterparty": world["tenant"].pk,
            "subject": letter.subject,
            "text": letter.text,
            "document_date": timezone.localdate().isoformat(),
            "executor": world["seller"].pk,
            "files": [upload("Письмо ещё раз.pdf", letter_pdf)],
        },
    )
    assert "уже приложен к этому документу" in response.content.decode()
    assert letter.letter_files.count() == 1


# --- the sweep -----------------------------------------------------------------------------------


def test_staged_files_older_than_a_day_are_deleted_rows_and_bytes(
    world, media, django_capture_on_commit_callbacks
):
    """GIVEN a file staged 25 hours ago and one staged just now
    WHEN the hourly sweep runs THEN only the old staged file is gone, its row and its bytes."""
    with time_machine.travel(timezone.now() - dt.timedelta(hours=25)):
        old = uploads_stage(uploads=[pdf("old.pdf", "old")], user=world["seller"])[0]
    young = uploads_stage(uploads=[pdf("young.pdf", "young")], user=world["seller"])[0]
    old_path = old.file.name
    assert default_storage.exists(old_path)
    with django_capture_on_commit_callbacks(execute=True):
        assert staged_files_sweep() == 1
    assert not StoredFile.objects.filter(pk=old.pk).exists()
    assert not default_storage.exists(old_path)
    assert StagedFile.objects.get().stored_file == young
    assert default_storage.exists(young.file.name)
    assert staged_token_make(user=world["seller"], files=[]) == ""
