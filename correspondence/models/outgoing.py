"""Outgoing letters: draft, approval chain, registration, sending, the counterparty's number,
reaction control, closing (issue 4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from argo_docs.reversing import pk_url
from correspondence.models.search_indexes import (
    access_tokens_field,
    trigram_with_tokens_index,
    upper_trigram_indexes,
)


class OutgoingStatus(models.TextChoices):
    DRAFT = "draft", _("Черновик")
    APPROVAL = "approval", _("На согласовании")
    RETURNED = "returned", _("На доработке")
    REGISTERED = "registered", _("Согласовано, к отправке")
    SENT = "sent", _("Отправлено")
    AWAITING_REACTION = "awaiting_reaction", _("Ожидается реакция")
    CLOSED = "closed", _("Закрыто")


EDITABLE_STATUSES = [OutgoingStatus.DRAFT, OutgoingStatus.RETURNED]
OPEN_OUTGOING_STATUSES = [s for s in OutgoingStatus.values if s != OutgoingStatus.CLOSED]


class DeliveryMethod(models.TextChoices):
    EMAIL = "email", _("Электронная почта")
    POST = "post", _("Почта России")
    COURIER = "courier", _("Курьер")
    EDO = "edo", _("ЭДО")


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
    # approval
    registered_at = models.DateTimeField(_("зарегистрировано"), null=True, blank=True)
    # sending
    delivery_method = models.CharField(
        _("способ отправки"), max_length=16, choices=DeliveryMethod.choices, blank=True
    )
    sent_on = models.DateField(_("дата отправки"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("отправил"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    email_to = models.CharField(_("кому (эл. почта)"), max_length=254, blank=True)
    email_subject = models.CharField(_("тема сообщения"), max_length=500, blank=True)
    email_body = models.TextField(_("текст сообщения"), blank=True)
    email_attachments = models.JSONField(_("вложения"), default=list, blank=True)
    email_sent_at = models.DateTimeField(_("сообщение отправлено"), null=True, blank=True)
    # the counterparty's registration of our letter
    counterparty_number = models.CharField(
        _("входящий номер у контрагента"), max_length=64, blank=True
    )
    counterparty_date = models.DateField(_("дата регистрации у контрагента"), null=True, blank=True)
    # reaction control
    reaction_check_on = models.DateField(_("проверить реакцию"), null=True, blank=True)
    reaction_comment = models.TextField(_("реакция контрагента"), blank=True)
    closed_at = models.DateTimeField(_("закрыто"), null=True, blank=True)

    access_tokens = access_tokens_field()

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
            models.Index(fields=["-created_at", "-id"], name="outgoing_recent"),
            models.Index(fields=["legal_entity", "-created_at"], name="outgoing_entity"),
            models.Index(fields=["status", "control_date"], name="outgoing_status_control"),
            # a reply by email quotes our number in its subject
            models.Index(fields=["reg_number"], name="outgoing_reg_number"),
            models.Index(
                fields=["counterparty", "-created_at"], name="outgoing_counterparty_recent"
            ),
            models.Index(fields=["project", "-created_at"], name="outgoing_project"),
            trigram_with_tokens_index("outgoing", "subject"),
            *upper_trigram_indexes("outgoing", ["reg_number", "counterparty_number"]),
        ]

    def __str__(self) -> str:
        label = self.reg_number or _("черновик №%(pk)s") % {"pk": self.pk}
        return f"{label} — {self.subject}"

    def get_absolute_url(self) -> str:
        return pk_url("correspondence:outgoing-detail", self.pk)

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def is_overdue(self) -> bool:
        return (
            self.status != OutgoingStatus.CLOSED
            and self.control_date is not None
            and self.control_date < timezone.localdate()
        )

    # --- transitions: they only set fields ------------------------------------------------------

    @transition(
        field=status,
        source=EDITABLE_STATUSES,
        target=OutgoingStatus.APPROVAL,
        permission=lambda letter, user: letter.author_id == user.pk,
    )
    def submit(self) -> None:
        pass

    @transition(
        field=status,
        source=[OutgoingStatus.APPROVAL, OutgoingStatus.RETURNED],
        target=OutgoingStatus.DRAFT,
        permission=lambda letter, user: letter.author_id == user.pk,
    )
    def withdraw(self) -> None:
        pass

    @transition(field=status, source=OutgoingStatus.APPROVAL, target=OutgoingStatus.RETURNED)
    def return_for_revision(self) -> None:
        pass

    @transition(field=status, source=OutgoingStatus.APPROVAL, target=OutgoingStatus.REGISTERED)
    def register(self, *, journal, year: int, sequence: int, number: str) -> None:
        self.journal = journal
        self.reg_year = year
        self.reg_sequence = sequence
        self.reg_number = number
        self.registered_at = timezone.now()

    @transition(field=status, source=OutgoingStatus.REGISTERED, target=OutgoingStatus.SENT)
    def send(self, *, delivery: str, sent_on, by) -> None:
        self.delivery_method = delivery
        self.sent_on = sent_on
        self.sent_by = by

    @transition(field=status, source=OutgoingStatus.SENT, target=OutgoingStatus.AWAITING_REACTION)
    def await_reaction(self) -> None:
        pass

    @transition(
        field=status,
        source=[OutgoingStatus.SENT, OutgoingStatus.AWAITING_REACTION],
        target=OutgoingStatus.CLOSED,
    )
    def close(self, *, reaction: str = "") -> None:
        self.reaction_comment = reaction
        self.closed_at = timezone.now()
