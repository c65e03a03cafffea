"""Files of a letter: storage knows no letters, so the link lives here."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LetterFile(models.Model):
    incoming = models.ForeignKey(
        "correspondence.IncomingLetter",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="letter_files",
    )
    outgoing = models.ForeignKey(
        "correspondence.OutgoingLetter",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="letter_files",
    )
    stored_file = models.ForeignKey(
        "storage.StoredFile",
        verbose_name=_("файл"),
        on_delete=models.PROTECT,
        related_name="letter_links",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("добавил"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    added_at = models.DateTimeField(_("добавлен"), default=timezone.now)

    class Meta:
        verbose_name = _("файл письма")
        verbose_name_plural = _("файлы писем")
        ordering = ["added_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(incoming__isnull=False, outgoing__isnull=True)
                | Q(incoming__isnull=True, outgoing__isnull=False),
                name="letter_file_one_letter",
            ),
            models.UniqueConstraint(
                fields=["incoming", "stored_file"],
                condition=Q(incoming__isnull=False),
                name="letter_file_unique_incoming",
            ),
            models.UniqueConstraint(
                fields=["outgoing", "stored_file"],
                condition=Q(outgoing__isnull=False),
                name="letter_file_unique_outgoing",
            ),
        ]

    def __str__(self) -> str:
        return str(self.stored_file_id)

    @property
    def letter(self):
        return self.incoming if self.incoming_id else self.outgoing
