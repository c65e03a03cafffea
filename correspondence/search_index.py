"""What search indexes of letters: loaded by the search app, which reads ``PROVIDERS``
(``search.providers`` describes the protocol). This app never imports search."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from correspondence import selectors
from correspondence.models import IncomingLetter, IncomingStatus, OutgoingLetter, OutgoingStatus


def _files(letter) -> list[int]:
    return [link.stored_file_id for link in letter.letter_files.all()]


class IncomingProvider:
    kind = "incoming"
    label = _("Входящие письма")
    model = "correspondence.IncomingLetter"
    order = 10
    status_choices = IncomingStatus.choices
    watch = {"correspondence.LetterFile": lambda link: [link.incoming_id]}

    def queryset(self):
        return IncomingLetter.objects.select_related("counterparty").prefetch_related(
            "letter_files"
        )

    def document(self, letter):
        return dict(
            title=f"{letter.reg_number} — {letter.subject}",
            codes=[letter.reg_number, letter.sender_number],
            counterparty=letter.counterparty.name,
            body="\n".join(
                part
                for part in (letter.summary, letter.resolution, letter.completion_comment)
                if part
            ),
            date=letter.received_on,
            counterparty_id=letter.counterparty_id,
            legal_entity_id=letter.legal_entity_id,
            status=letter.status,
            file_ids=_files(letter),
        )

    def visible(self, user):
        return selectors.incoming_visible_to(user)

    def url(self, pk: int) -> str:
        return reverse("correspondence:incoming-detail", args=[pk])


class OutgoingProvider:
    kind = "outgoing"
    label = _("Исходящие письма")
    model = "correspondence.OutgoingLetter"
    order = 20
    status_choices = OutgoingStatus.choices
    watch = {"correspondence.LetterFile": lambda link: [link.outgoing_id]}

    def queryset(self):
        return OutgoingLetter.objects.select_related("counterparty").prefetch_related(
            "letter_files"
        )

    def document(self, letter):
        number = letter.reg_number or _("без номера")
        return dict(
            title=f"{number} — {letter.subject}",
            codes=[letter.reg_number, letter.counterparty_number],
            counterparty=letter.counterparty.name,
            body=letter.text,
            date=letter.document_date or letter.created_at.date(),
            counterparty_id=letter.counterparty_id,
            legal_entity_id=letter.legal_entity_id,
            status=letter.status,
            file_ids=_files(letter),
        )

    def visible(self, user):
        return selectors.outgoing_visible_to(user)

    def url(self, pk: int) -> str:
        return reverse("correspondence:outgoing-detail", args=[pk])


PROVIDERS = [IncomingProvider(), OutgoingProvider()]
