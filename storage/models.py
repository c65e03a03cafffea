"""Stored files, the folder tree and the entries that put a file into a folder.

Storage knows no document type: an entry points at its document ("subject") through a generic
relation, so letters and contracts can be linked without storage importing their apps."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from argo_docs.reversing import pk_url

PATH_SEPARATOR = " / "


def stored_file_path(instance: StoredFile, filename: str) -> str:
    """``files/YYYY/MM/<uuid>.<ext>``: nothing the uploader typed reaches the file system. The
    service passes a name whose extension comes from the type detected by content."""
    ext = PurePosixPath(filename).suffix.lower().lstrip(".")
    ext = "".join(ch for ch in ext if ch.isascii() and ch.isalnum())[:8] or "bin"
    now = timezone.localtime()
    return f"files/{now:%Y}/{now:%m}/{uuid.uuid4().hex}.{ext}"


class StoredFile(models.Model):
    file = models.FileField(_("файл"), upload_to=stored_file_path, max_length=255)
    original_name = models.CharField(_("исходное имя"), max_length=255)
    size = models.PositiveBigIntegerField(_("размер, байт"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    content_type = models.CharField(_("тип содержимого"), max_length=127)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("загрузил"),
        on_delete=models.PROTECT,
        related_name="stored_files",
    )
    uploaded_at = models.DateTimeField(_("загружен"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("файл")
        verbose_name_plural = _("файлы")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.original_name

    def get_download_url(self) -> str:
        return reverse("storage:download", args=[self.pk])

    def get_view_url(self) -> str:
        return f"{self.get_download_url()}?inline=1"

    @property
    def extension(self) -> str:
        return PurePosixPath(self.original_name).suffix.lower().lstrip(".")


class Folder(models.Model):
    name = models.CharField(_("название"), max_length=255)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("родительская папка"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # The names from the root down, kept so breadcrumbs and the admin need no recursive queries.
    path = models.CharField(_("путь"), max_length=2000, editable=False, default="")
    created_at = models.DateTimeField(_("создана"), default=timezone.now)

    class Meta:
        verbose_name = _("папка")
        verbose_name_plural = _("папки")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="storage_folder_unique_name_in_parent",
                violation_error_message=_("Здесь уже есть папка с таким названием."),
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return self.path or self.name

    def get_absolute_url(self) -> str:
        return pk_url("storage:folder", self.pk)

    @property
    def parts(self) -> list[str]:
        return self.path.split(PATH_SEPARATOR) if self.path else [self.name]


class FolderEntry(models.Model):
    folder = models.ForeignKey(
        Folder, verbose_name=_("папка"), on_delete=models.CASCADE, related_name="entries"
    )
    stored_file = models.ForeignKey(
        StoredFile, verbose_name=_("файл"), on_delete=models.PROTECT, related_name="entries"
    )
    label = models.CharField(_("подпись"), max_length=500, blank=True)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("тип документа"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    object_id = models.PositiveBigIntegerField(_("документ"), null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    filed_at = models.DateTimeField(_("положен в папку"), default=timezone.now)

    class Meta:
        verbose_name = _("файл в папке")
        verbose_name_plural = _("файлы в папках")
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["folder", "stored_file"], name="storage_entry_unique_file_in_folder"
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="storage_entry_subject"),
        ]

    def __str__(self) -> str:
        return self.label or self.stored_file.original_name

    @property
    def title(self) -> str:
        return self.label or self.stored_file.original_name


class StagedFile(models.Model):
    """A file kept from a refused form, for its uploader only, until the form is sent again
    (through the signed token in the form, see storage.staging) or 24 hours pass."""

    stored_file = models.OneToOneField(
        StoredFile, verbose_name=_("файл"), on_delete=models.CASCADE, related_name="staging"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("загрузил"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    staged_at = models.DateTimeField(_("отложен"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("отложенный файл")
        verbose_name_plural = _("отложенные файлы")
        ordering = ["staged_at", "id"]

    def __str__(self) -> str:
        return str(self.stored_file_id)


from storage.text_models import FileText, TextState  # noqa: E402,F401  (the model lives beside)
