"""Drafts of outgoing letters: create and edit (only the author, only while editable)."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed

from correspondence.models import (
    LetterFile,
    OutgoingLetter,
    Thread,
)
from correspondence.services.outgoing.base import (
    locked,
)
from storage.services import duplicates_refuse
from workflow.access import access_refresh
from workflow.models import HistoryAction
from workflow.services import (
    history_record,
)

# --- drafts --------------------------------------------------------------------------------------


def outgoing_create(
    *,
    user,
    legal_entity,
    counterparty,
    subject: str,
    text: str = "",
    executor=None,
    document_date: dt.date | None = None,
    control_date: dt.date | None = None,
    project=None,
    files: Iterable = (),
) -> OutgoingLetter:
    """A new draft written from scratch, in a new thread with the counterparty."""
    if not getattr(user, "employee", None):
        raise PermissionDenied(_("Создавать письма могут только сотрудники."))
    with transaction.atomic():
        thread = Thread.objects.create(
            counterparty=counterparty, subject=subject, project=project, created_by=user
        )
        letter = OutgoingLetter.objects.create(
            legal_entity=legal_entity,
            counterparty=counterparty,
            subject=subject,
            text=text,
            author=user,
            executor=executor or user,
            thread=thread,
            project=project,
            document_date=document_date or timezone.localdate(),
            control_date=control_date,
        )
        LetterFile.objects.bulk_create(
            [LetterFile(outgoing=letter, stored_file=f, added_by=user) for f in files]
        )
        access_refresh(letter)
        history_record(
            subject=letter,
            actor=user,
            action=HistoryAction.CREATED,
            description=_("Черновик исходящего письма создан"),
            to_state=letter.status,
        )
    return letter


EDITABLE_FIELDS = (
    "legal_entity",
    "counterparty",
    "subject",
    "text",
    "executor",
    "document_date",
    "control_date",
    "project",
)


def outgoing_update(
    *, letter_id: int, user, data: dict, files: Iterable = (), remove_file_ids: Iterable = ()
) -> OutgoingLetter:
    """The author edits the draft (only while it is a draft or returned for revision)."""
    with transaction.atomic():
        letter = locked(letter_id)
        if letter.author_id != user.pk:
            raise PermissionDenied(_("Изменять письмо может только его автор."))
        if not letter.is_editable:
            raise TransitionNotAllowed(
                _("Письмо можно изменить только в черновике или на доработке.")
            )
        changed = []
        for field in EDITABLE_FIELDS:
            if field in data and getattr(letter, field) != data[field]:
                setattr(letter, field, data[field])
                changed.append(field)
        if changed:
            letter.save(update_fields=changed)
        if "executor" in changed:
            access_refresh(letter)
            for answer in letter.answers.all():  # its executor reads the replies
                access_refresh(answer)
        removed = LetterFile.objects.filter(outgoing=letter, pk__in=list(remove_file_ids)).delete()
        files = list(files)
        duplicates_refuse(  # under the letter's lock: two tabs cannot both attach the same file
            files=files,
            existing=[
                link.stored_file
                for link in LetterFile.objects.filter(outgoing=letter).select_related("stored_file")
            ],
        )
        added = LetterFile.objects.bulk_create(
            [LetterFile(outgoing=letter, stored_file=f, added_by=user) for f in files]
        )
        if changed or removed[0] or added:
            history_record(
                subject=letter,
                actor=user,
                action=HistoryAction.COMMENT,
                description=_("Письмо изменено: %(what)s")
                % {
                    "what": ", ".join(
                        [str(OutgoingLetter._meta.get_field(f).verbose_name) for f in changed]
                        + ([_("файлы")] if removed[0] or added else [])
                    )
                },
            )
    return letter
