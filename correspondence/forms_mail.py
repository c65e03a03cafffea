"""The registration form opened from a mail item: the incoming registration form, prefilled from
the message, with the message's stored files offered as already attached (ticked boxes)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from correspondence.forms import IncomingRegisterForm
from correspondence.services.mail import MailMatch, body_summary, clean_subject
from intake.models import IntakeItem
from storage.forms import UploadsFormMixin
from storage.models import StoredFile
from workflow.models import LegalEntity


class _MailFilesCount(UploadsFormMixin):
    """Placed between IncomingRegisterForm and UploadsFormMixin in the method order, so the
    message's ticked files are among ``cleaned_data["files"]`` when the registration form checks
    that a scan is attached; ``service_kwargs`` hands them to the service separately."""

    def clean(self):
        cleaned = super().clean()
        if "files" in cleaned:
            cleaned["files"] = [*self.chosen_mail_files(), *cleaned["files"]]
        return cleaned


class MailRegisterForm(IncomingRegisterForm, _MailFilesCount):
    files_required_mark = False  # the message's own files usually are the scans
    mail_files = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Файлы из письма"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, item: IntakeItem, match: MailMatch, **kwargs) -> None:
        self.item = item
        self.mail_attachments = [a for a in item.attachments.all() if a.stored_file_id]
        super().__init__(*args, **kwargs)
        self.fields["files"].label = gettext_lazy("Добавить файлы (сканы)")
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
        self.counterparty_bind(self.initial.get("counterparty"))

    def chosen_mail_files(self) -> list[StoredFile]:
        wanted = set(self.cleaned_data.get("mail_files") or [])
        return [a.stored_file for a in self.mail_attachments if a.stored_file_id in wanted]

    def mail_file_choices(self) -> list[tuple]:
        """(attachment, ticked) for the template: ticked as prefilled, or as last submitted."""
        value = self["mail_files"].value() or []
        ticked = {int(v) for v in value if str(v).isdigit()}
        return [(a, a.stored_file_id in ticked) for a in self.mail_attachments]

    def service_kwargs(self) -> dict:
        kwargs = super().service_kwargs()
        mail_ids = {f.pk for f in self.chosen_mail_files()}
        kwargs["files"] = [
            f for f in kwargs["files"] if not (isinstance(f, StoredFile) and f.pk in mail_ids)
        ]
        kwargs["mail_file_ids"] = sorted(mail_ids)
        return kwargs
