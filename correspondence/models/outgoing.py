"""Outgoing letters. Only the draft created as a reply lives here for now; approval and sending
are built on top of this model (issue 4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField


class OutgoingStatus(models.TextChoices):
    DRAFT = "draft", _("Черновик")
    SENT = "sent", _("Отправлено")


class OutgoingLetter(models.Model):
    legal_entity = models.ForeignKey(
        "workflow.LegalEntity",
        verbose_name=_("отправитель (юрлицо)"),
        on_delete=models.PROTECT,
        related_name="outgoing_letters",
    )
    counterparty = models.ForeignKey(
        "crm.Counterparty",
        verbose_name=_("получатель"),
        on_delete=models.PROTECT,
        related_name="outgoing_letters",
    )
    subject = models.CharField(_("тема"), max_length=500)
    text = models.TextField(_("текст"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("автор"),
        on_delete=models.PROTECT,
        related_name="outgoing_letters_authored",
    )
    executor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("исполнитель"),
        on_delete=models.PROTECT,
        related_name="outgoing_letters_executing",
    )
    in_reply_to = models.ForeignKey(
        "correspondence.IncomingLetter",
        verbose_name=_("в ответ на"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replies",
    )
    thread = models.ForeignKey(
        "correspondence.Thread",
        verbose_name=_("переписка"),
        on_delete=models.PROTECT,
        related_name="outgoing_letters",
    )
    project = models.ForeignKey(
        "correspondence.Project",
        verbose_name=_("проект"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outgoing_letters",
    )
    document_date = models.DateField(_("дата документа"), null=True, blank=True)
    control_date = models.DateField(_("контрольный срок"), null=True, blank=True)
    journal = models.ForeignKey(
        "correspondence.RegistrationJournal",
        verbose_name=_("журнал"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outgoing_letters",
    )
    reg_number = models.CharField(_("регистрационный номер"), max_length=64, blank=True)
    reg_year = models.PositiveSmallIntegerField(_("год регистрации"), null=True, blank=True)
    reg_sequence = models.PositiveIntegerField(_("порядковый номер"), null=True, blank=True)
    status = FSMField(
        _("состояние"),
        max_length=20,
        choices=OutgoingStatus.choices,
        default=OutgoingStatus.DRAFT,
        protected=True,
    )
    created_at = models.DateTimeField(_("создано"), default=timezone.now)

    class Meta:
        verbose_name = _("исходящее письмо")
        verbose_name_plural = _("исходящие письма")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["journal", "reg_year", "reg_sequence"],
                condition=models.Q(journal__isnull=False),
                name="outgoing_unique_sequence",
            )
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="outgoing_status"),
            models.Index(fields=["executor", "status"], name="outgoing_executor"),
        ]

    def __str__(self) -> str:
        label = self.reg_number or _("черновик №%(pk)s") % {"pk": self.pk}
        return f"{label} — {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("correspondence:outgoing-detail", args=[self.pk])
