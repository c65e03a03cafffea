from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from argo_docs.reversing import pk_url
from crm.models.companies import CounterpartyCategory, Industry, ProcessingStatus


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", _("Загружен")
    ANALYSING = "analysing", _("Проверяется")
    PREVIEW = "preview", _("Ждёт подтверждения")
    QUEUED = "queued", _("В очереди")
    RUNNING = "running", _("Выполняется")
    DONE = "done", _("Завершён")
    FAILED = "failed", _("Ошибка")


class ImportMode(models.TextChoices):
    CREATE = "create", _("Только новые компании")
    UPDATE = "update", _("Новые и обновление существующих")


class CompanyImport(models.Model):
    """An uploaded file kept between the wizard's steps, its check (preview) and the outcome."""

    file = models.FileField(_("файл"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("имя файла"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("кто"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("загружен"), default=timezone.now)
    state = models.CharField(
        _("состояние"), max_length=16, choices=ImportState.choices, default=ImportState.UPLOADED
    )
    # what the file turned out to be: shown on the mapping page
    file_format = models.CharField(_("формат"), max_length=8, blank=True)
    encoding = models.CharField(_("кодировка"), max_length=32, blank=True)
    delimiter = models.CharField(_("разделитель"), max_length=4, blank=True)
    sheets = models.JSONField(_("листы книги"), default=list, blank=True)
    sheet = models.CharField(_("лист"), max_length=255, blank=True)
    mapping = models.JSONField(_("соответствие колонок"), default=dict, blank=True)
    mode = models.CharField(
        _("режим"), max_length=8, choices=ImportMode.choices, default=ImportMode.CREATE
    )
    create_industries = models.BooleanField(_("создавать новые сферы"), default=False)
    initial_status = models.CharField(
        _("начальный статус"),
        max_length=16,
        choices=ProcessingStatus.choices,
        default=ProcessingStatus.IMPORTED,
    )
    category = models.CharField(
        _("категория"),
        max_length=16,
        choices=CounterpartyCategory.choices,
        default=CounterpartyCategory.CLIENT,
    )
    industry = models.ForeignKey(
        Industry, verbose_name=_("сфера"), on_delete=models.PROTECT, null=True, blank=True
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ответственный"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # the check before the import: counts, changes per field, a sample of the changes
    preview = models.JSONField(_("проверка"), default=dict, blank=True)
    total_rows = models.PositiveIntegerField(_("строк"), default=0)
    processed_rows = models.PositiveIntegerField(_("обработано"), default=0)
    created_count = models.PositiveIntegerField(_("создано"), default=0)
    updated_count = models.PositiveIntegerField(_("обновлено"), default=0)
    duplicate_count = models.PositiveIntegerField(_("уже были в базе"), default=0)
    # [{"row": n, "reason": text, "cells": [the row as it was in the file]}]
    errors = models.JSONField(_("ошибки"), default=list, blank=True)
    header = models.JSONField(_("заголовок файла"), default=list, blank=True)
    failure = models.TextField(_("сбой"), blank=True)

    class Meta:
        verbose_name = _("импорт компаний")
        verbose_name_plural = _("импорты компаний")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return pk_url("crm:import-detail", self.pk)

    @property
    def in_progress(self) -> bool:
        return self.state in (ImportState.ANALYSING, ImportState.QUEUED, ImportState.RUNNING)

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.state == ImportState.DONE else 0
        return min(100, round(self.processed_rows * 100 / self.total_rows))
