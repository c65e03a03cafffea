"""Threads (a conversation with one counterparty) and projects that group letters."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from argo_docs.reversing import pk_url


class Project(models.Model):
    name = models.CharField(_("название"), max_length=255, unique=True)
    description = models.TextField(_("описание"), blank=True)
    is_active = models.BooleanField(_("действует"), default=True)
    created_at = models.DateTimeField(_("создан"), default=timezone.now)

    class Meta:
        verbose_name = _("проект")
        verbose_name_plural = _("проекты")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Thread(models.Model):
    """All letters exchanged with one counterparty on one matter; a reply joins its parent's."""

    counterparty = models.ForeignKey(
        "crm.Counterparty",
        verbose_name=_("контрагент"),
        on_delete=models.PROTECT,
        related_name="threads",
    )
    subject = models.CharField(_("тема"), max_length=500)
    project = models.ForeignKey(
        Project,
        verbose_name=_("проект"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="threads",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("создал"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("создана"), default=timezone.now)

    class Meta:
        verbose_name = _("переписка")
        verbose_name_plural = _("переписки")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["counterparty", "-created_at"], name="thread_counterparty")]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return pk_url("correspondence:thread-detail", self.pk)
