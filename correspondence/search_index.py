"""What search indexes of letters: loaded by the search app, which reads ``PROVIDERS``
(``search.providers`` describes the protocol). This app never imports search."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from correspondence import selectors
from correspondence.models import (
    IncomingLetter,
    IncomingStatus,
    OutgoingLetter,
    OutgoingStatus,
    Project,
    Thread,
)
from workflow.rules import is_employee


def _files(letter) -> list[int]:
    return [link.stored_file_id for link in letter.letter_files.all()]


def _scopes(letter) -> list[str]:
    scopes = [f"counterparty:{letter.counterparty_id}", f"thread:{letter.thread_id}"]
    if letter.project_id:
        scopes.append(f"project:{letter.project_id}")
    return scopes


class ThreadScope:
    """The dossier of one thread: every letter of the conversation."""

    label = _("Досье переписки")

    def title(self, pk: int) -> str:
        thread = Thread.objects.select_related("counterparty").filter(pk=pk).first()
        return f"{thread.subject} · {thread.counterparty.name}" if thread else ""

    def url(self, pk: int) -> str:
        return reverse("correspondence:thread-detail", args=[pk])

    def may_view(self, user, pk: int) -> bool:
        """Only someone who may open a letter of the thread learns that it exists."""
        return (
            selectors.incoming_visible_to(user).filter(thread_id=pk).exists()
            or selectors.outgoing_visible_to(user).filter(thread_id=pk).exists()
        )


class ProjectScope:
    """The dossier of a project: its letters in every thread."""

    label = _("Досье проекта")

    def title(self, pk: int) -> str:
        return Project.objects.filter(pk=pk).values_list("name", flat=True).first() or ""

    def url(self, pk: int) -> str:
        return ""

    def may_view(self, user, pk: int) -> bool:
        return is_employee(user) and Project.objects.filter(pk=pk).exists()


class IncomingProvider:
    kind = "incoming"
    label = _("Входящие письма")
    single_label = _("Входящее")
    model = "correspondence.IncomingLetter"
    order = 10
    status_choices = IncomingStatus.choices
    watch = {"correspondence.LetterFile": lambda link: [link.incoming_id]}
    dossier_scopes = {"thread": ThreadScope(), "project": ProjectScope()}

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
            scopes=_scopes(letter),
            reply_to=f"outgoing:{letter.answers_outgoing_id}" if letter.answers_outgoing_id else "",
        )

    def visible(self, user):
        return selectors.incoming_visible_to(user)

    def url(self, pk: int) -> str:
        return reverse("correspondence:incoming-detail", args=[pk])


class OutgoingProvider:
    kind = "outgoing"
    label = _("Исходящие письма")
    single_label = _("Исходящее")
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
            date=letter.document_date or timezone.localdate(letter.created_at),
            counterparty_id=letter.counterparty_id,
            legal_entity_id=letter.legal_entity_id,
            status=letter.status,
            file_ids=_files(letter),
            scopes=_scopes(letter),
            reply_to=f"incoming:{letter.in_reply_to_id}" if letter.in_reply_to_id else "",
        )

    def visible(self, user):
        return selectors.outgoing_visible_to(user)

    def url(self, pk: int) -> str:
        return reverse("correspondence:outgoing-detail", args=[pk])


PROVIDERS = [IncomingProvider(), OutgoingProvider()]
