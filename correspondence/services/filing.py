"""Filing finished letters into storage folders: «Входящие»/«Исходящие» → department → counterparty.

The storage job is idempotent (a file is filed into a folder once), so enqueueing twice is harmless.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from correspondence.models import IncomingLetter, LetterFile, OutgoingLetter
from storage.services import folder_filing_enqueue
from workflow.models import Employee

INCOMING_ROOT = "Входящие"
OUTGOING_ROOT = "Исходящие"


def _department_name(user) -> str:
    employee = (
        Employee.objects.select_related("department").filter(user=user).first() if user else None
    )
    if employee and employee.department:
        return employee.department.name
    return _("Без подразделения")


def letter_file_into_folders(letter) -> str | None:
    """Enqueue the filing job for ``letter``'s files (call inside the closing transaction)."""
    if isinstance(letter, IncomingLetter):
        root, person = INCOMING_ROOT, letter.responsible or letter.registered_by
        links = LetterFile.objects.filter(incoming=letter)
    elif isinstance(letter, OutgoingLetter):
        root, person = OUTGOING_ROOT, letter.executor
        links = LetterFile.objects.filter(outgoing=letter)
    else:  # pragma: no cover - a programming error
        raise TypeError(type(letter))
    stored = [link.stored_file for link in links.select_related("stored_file")]
    return folder_filing_enqueue(
        stored_files=stored,
        parts=[root, _department_name(person), letter.counterparty.name],
        subject=letter,
    )
