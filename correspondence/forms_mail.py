"""The registration form opened from a mail item: the incoming registration form, prefilled from
the message, with the message's stored files offered as already attached."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from correspondence.forms import IncomingRegisterForm
from correspondence.services.mail import MailMatch, body_summary, clean_subject
from intake.models import IntakeItem
from storage.models import StoredFile
from workflow.models import LegalEntity


class MailRegisterForm(IncomingRegisterForm):
    mail_files = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Файлы из письма"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, item: IntakeItem, match: MailMatch, **kwargs) -> None:
        # set before the parent reads the kept files
        self.item = item
        self.mail_attachments = [a for a in item.attachments.all() if a.stored_file_id]
        super().__init__(*args, **kwargs)
        self.fields["mail_files"].choices = [
            (a.stored_file_id, a.filename) for a in self.mail_attachments
        ]
        if not self.is_bound:
            self._prefill(match)

    def _prefill(self, match: MailMatch) -> None:
        documents = [a for a in self.mail_attachments if not a.is_body]
        chosen = documents or self.mail_attachments
        entity_id = self.item.mailbox.default_legal_entity_id
        if entity_id is None:
            entities = list(LegalEntity.objects.values_list("pk", flat=True)[:2])
            entity_id = entities[0] if len(entities) == 1 else None
        self.initial.update(
            {
                "legal_entity": entity_id,
                "counterparty": match.counterparty.pk if match.counterparty else None,
                "sender_number": match.sender_number,
                "sender_date": match.sender_date,
                "subject": clean_subject(self.item.subject)[:500],
                "summary": body_summary(self.item.body_text),
                "received_on": timezone.localdate(self.item.received_at),
                "answers_outgoing": match.answers_outgoing.pk if match.answers_outgoing else None,
                "mail_files": [a.stored_file_id for a in chosen],
            }
        )

    def _kept_files(self) -> list[StoredFile]:
        """The message's files the manager kept ticked, then files uploaded in this form."""
        kept = super()._kept_files()
        if not self.is_bound:
            return kept
        wanted = {int(v) for v in self.data.getlist("mail_files") if str(v).isdigit()}
        mail = [a.stored_file for a in self.mail_attachments if a.stored_file_id in wanted]
        return mail + [f for f in kept if f.pk not in wanted]

    @property
    def uploaded_files(self) -> list[StoredFile]:
        """Files the manager added by hand after a refused submission (shown as kept)."""
        mail_ids = {a.stored_file_id for a in self.mail_attachments}
        return [f for f in self.kept_files if f.pk not in mail_ids]
