"""The text of a stored file, for search: the PDF text layer, the text of office documents, or
what Tesseract recognised on a scan. Filled by a background job (``storage.text_jobs``), never
while a document is being registered."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TextState(models.TextChoices):
    PENDING = "pending", _("распознаётся")
    DONE = "done", _("распознан")
    FAILED = "failed", _("не удалось")
    NONE = "none", _("без текста")


class FileText(models.Model):
    stored_file = models.OneToOneField(
        "storage.StoredFile",
        verbose_name=_("файл"),
        on_delete=models.CASCADE,
        related_name="text_state",
    )
    state = models.CharField(
        _("состояние"), max_length=10, choices=TextState.choices, default=TextState.PENDING
    )
    method = models.CharField(_("способ"), max_length=20, blank=True)  # pdf, docx, ocr, …
    text = models.TextField(_("текст"), blank=True)
    error = models.CharField(_("причина"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(_("попыток"), default=0)
    # a pending row is claimed by moving this forward (a lease): a crashed job is retried then
    next_attempt_at = models.DateTimeField(_("следующая попытка"), default=timezone.now)
    updated_at = models.DateTimeField(_("изменено"), default=timezone.now)

    class Meta:
        verbose_name = _("текст файла")
        verbose_name_plural = _("тексты файлов")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state="pending"),
                name="storage_filetext_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.stored_file_id}: {self.state}"
