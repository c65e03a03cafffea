from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models.companies import Counterparty


class ContactPerson(models.Model):
    """A person at a company we talk to; a company has any number of them, each with their own
    phones and emails."""

    company = models.ForeignKey(
        Counterparty,
        verbose_name=_("компания"),
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    name = models.CharField(_("ФИО"), max_length=255)
    position = models.CharField(_("должность"), max_length=255, blank=True)
    phones = ArrayField(
        models.CharField(max_length=50), verbose_name=_("телефоны"), default=list, blank=True
    )
    emails = ArrayField(
        models.CharField(max_length=254), verbose_name=_("эл. почта"), default=list, blank=True
    )
    comment = models.CharField(_("комментарий"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("добавлен"), default=timezone.now)

    class Meta:
        verbose_name = _("контактное лицо")
        verbose_name_plural = _("контактные лица")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
