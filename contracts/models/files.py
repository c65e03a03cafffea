"""What people add to a contract besides its fields: comments and files."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models.contract import Contract


class ContractComment(models.Model):
    contract = models.ForeignKey(
        Contract, verbose_name=_("договор"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("автор"), on_delete=models.PROTECT
    )
    text = models.TextField(_("текст"))
    created_at = models.DateTimeField(_("когда"), default=timezone.now)

    class Meta:
        verbose_name = _("комментарий")
        verbose_name_plural = _("комментарии")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]


class ContractFile(models.Model):
    """A file attached to a contract; the bytes live in storage (permission-checked download)."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("договор"), on_delete=models.CASCADE, related_name="files"
    )
    stored_file = models.ForeignKey(
        "storage.StoredFile",
        verbose_name=_("файл"),
        on_delete=models.PROTECT,
        related_name="contract_links",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("добавил"), on_delete=models.PROTECT
    )
    added_at = models.DateTimeField(_("добавлен"), default=timezone.now)

    class Meta:
        verbose_name = _("файл договора")
        verbose_name_plural = _("файлы договора")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "stored_file"], name="contract_file_unique")
        ]

    def __str__(self) -> str:
        return str(self.stored_file)
