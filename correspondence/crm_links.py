"""What the CRM company card shows of the correspondence with a counterparty: only the letters
the viewer may open, grouped by thread (registered with ``crm.registry`` in ``apps.py``)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from correspondence import selectors

LIMIT = 100  # letters per card, newest first


def counterparty_correspondence(user, counterparty_id: int) -> list:
    from crm.registry import CorrespondenceLetter, CorrespondenceThread

    incoming = (
        selectors.incoming_visible_to(user)
        .filter(thread__counterparty_id=counterparty_id)
        .select_related("thread")
        .order_by("-registered_at", "-id")[:LIMIT]
    )
    outgoing = (
        selectors.outgoing_visible_to(user)
        .filter(thread__counterparty_id=counterparty_id)
        .select_related("thread")
        .order_by("-created_at", "-id")[:LIMIT]
    )
    letters = []
    for letter in incoming:
        when = timezone.localtime(letter.registered_at).date()
        letters.append((letter, _("Входящее"), when))
    for letter in outgoing:
        when = (
            letter.sent_on or letter.document_date or timezone.localtime(letter.created_at).date()
        )
        letters.append((letter, _("Исходящее"), when))
    letters.sort(key=lambda item: item[2], reverse=True)
    threads: dict[int, CorrespondenceThread] = {}
    for letter, direction, when in letters[:LIMIT]:
        thread = threads.setdefault(
            letter.thread_id,
            CorrespondenceThread(
                subject=letter.thread.subject, url=letter.thread.get_absolute_url(), letters=[]
            ),
        )
        thread.letters.append(
            CorrespondenceLetter(
                label=str(letter),
                url=letter.get_absolute_url(),
                date=when,
                direction=direction,
                subject=letter.subject,
            )
        )
    return list(threads.values())
