from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models.companies import CounterpartyCategory, Industry, ProcessingStatus


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", _("Загружен")
    QUEUED = "queued", _("В очереди")
    RUNNING = "running", _("Выполняется")
    DONE = "done", _("Завершён")
    FAILED = "failed", _("Ошибка")


class CompanyImport(models.Model):
    """An uploaded file kept between the wizard's steps, and the outcome of its import."""

    file = models.FileField(_("файл"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("имя файла"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("кто"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("загружен"), default=timezone.now)
    state = models.CharField(
        _("состояние"), max_length=16, choices=ImportState.choices, default=ImportState.UPLOADED
    )
    mapping = models.JSONField(_("соответствие колонок"), default=dict, blank=True)
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
    total_rows = models.PositiveIntegerField(_("строк"), default=0)
    processed_rows = models.PositiveIntegerField(_("обработано"), default=0)
    created_count = models.PositiveIntegerField(_("создано"), default=0)
    duplicate_count = models.PositiveIntegerField(_("уже были в базе"), default=0)
    errors = models.JSONField(_("ошибки"), default=list, blank=True)
    failure = models.TextField(_("сбой"), blank=True)

    class Meta:
        verbose_name = _("импорт компаний")
        verbose_name_plural = _("импорты компаний")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("crm:import-detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.state == ImportState.DONE else 0
        return min(100, round(self.processed_rows * 100 / self.total_rows))
