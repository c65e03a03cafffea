"""Incoming letters: registered by the office, routed by counterparty category, executed."""

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


class IncomingStatus(models.TextChoices):
    REGISTERED = "registered", _("Зарегистрировано")
    ASSIGNING = "assigning", _("Назначение исполнителя")
    IN_REVIEW = "in_review", _("На рассмотрении")
    IN_WORK = "in_work", _("На исполнении")
    REPLY_PREPARING = "reply_preparing", _("Ответ готовится")
    DONE = "done", _("Исполнено")


OPEN_STATUSES = [s for s in IncomingStatus.values if s != IncomingStatus.DONE]


class IncomingLetter(models.Model):
    journal = models.ForeignKey(
        "correspondence.RegistrationJournal",
        verbose_name=_("журнал"),
        on_delete=models.PROTECT,
        related_name="incoming_letters",
    )
    reg_number = models.CharField(_("регистрационный номер"), max_length=64)
    reg_year = models.PositiveSmallIntegerField(_("год регистрации"))
    reg_sequence = models.PositiveIntegerField(_("порядковый номер"))
    legal_entity = models.ForeignKey(
        "workflow.LegalEntity",
        verbose_name=_("адресат (юрлицо)"),
        on_delete=models.PROTECT,
        related_name="incoming_letters",
    )
    addressee_department = models.ForeignKey(
        "workflow.Department",
        verbose_name=_("подразделение-адресат"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incoming_letters",
    )
    counterparty = models.ForeignKey(
        "crm.Counterparty",
        verbose_name=_("контрагент"),
        on_delete=models.PROTECT,
        related_name="incoming_letters",
    )
    sender_number = models.CharField(_("исходящий номер отправителя"), max_length=64, blank=True)
    sender_date = models.DateField(_("дата письма отправителя"), null=True, blank=True)
    subject = models.CharField(_("тема"), max_length=500)
    summary = models.TextField(_("краткое содержание"), blank=True)
    received_on = models.DateField(_("дата получения"))
    control_date = models.DateField(_("контрольный срок"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ответственный исполнитель"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incoming_letters_responsible",
    )
    co_executors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("соисполнители"),
        blank=True,
        related_name="incoming_letters_co_executing",
    )
    resolution = models.TextField(_("резолюция"), blank=True)
    project = models.ForeignKey(
        "correspondence.Project",
        verbose_name=_("проект"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incoming_letters",
    )
    thread = models.ForeignKey(
        "correspondence.Thread",
        verbose_name=_("переписка"),
        on_delete=models.PROTECT,
        related_name="incoming_letters",
    )
    answers_outgoing = models.ForeignKey(
        "correspondence.OutgoingLetter",
        verbose_name=_("ответ на исходящее"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answers",
    )
    route_rule = models.ForeignKey(
        "correspondence.RouteRule",
        verbose_name=_("маршрут"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reminder_working_days = models.PositiveSmallIntegerField(
        _("напоминание за (рабочих дней)"), default=1
    )
    status = FSMField(
        _("состояние"),
        max_length=20,
        choices=IncomingStatus.choices,
        default=IncomingStatus.REGISTERED,
        protected=True,
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("зарегистрировал"),
        on_delete=models.PROTECT,
        related_name="incoming_letters_registered",
    )
    registered_at = models.DateTimeField(_("зарегистрировано"), default=timezone.now)
    completed_at = models.DateTimeField(_("исполнено"), null=True, blank=True)
    completion_comment = models.TextField(_("отчёт об исполнении"), blank=True)

    access_tokens = access_tokens_field()

    class Meta:
        verbose_name = _("входящее письмо")
        verbose_name_plural = _("входящие письма")
        ordering = ["-registered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["journal", "reg_year", "reg_sequence"], name="incoming_unique_sequence"
            ),
            models.UniqueConstraint(
                fields=["journal", "reg_number"], name="incoming_unique_number"
            ),
        ]
        indexes = [
            models.Index(fields=["-registered_at", "-id"], name="incoming_recent"),
            models.Index(fields=["legal_entity", "-registered_at"], name="incoming_entity"),
            models.Index(fields=["status", "control_date"], name="incoming_status_control"),
            models.Index(fields=["responsible", "status"], name="incoming_responsible"),
            models.Index(fields=["received_on"], name="incoming_received"),
            models.Index(fields=["project", "-registered_at"], name="incoming_project"),
            models.Index(
                fields=["counterparty", "sender_number", "sender_date"], name="incoming_duplicate"
            ),
            models.Index(
                fields=["counterparty", "-registered_at"], name="incoming_counterparty_recent"
            ),
            # the register's search is ``UPPER(col::text) LIKE UPPER('%…%')`` (icontains):
            # trigram indexes on that very expression
            trigram_with_tokens_index("incoming", "subject"),
            *upper_trigram_indexes("incoming", ["reg_number", "sender_number"]),
        ]

    def __str__(self) -> str:
        return f"{self.reg_number} — {self.subject}"

    def get_absolute_url(self) -> str:
        return pk_url("correspondence:incoming-detail", self.pk)

    @property
    def is_overdue(self) -> bool:
        return self.status != IncomingStatus.DONE and self.control_date < timezone.localdate()

    # --- transitions: they only set fields; the route's hooks run them (the route lives in the
    # engine: workflow.Route for this letter, see services/incoming/route.py) ----------------------

    @transition(
        field=status,
        source=[IncomingStatus.REGISTERED, IncomingStatus.IN_REVIEW],
        target=IncomingStatus.ASSIGNING,
    )
    def await_assignment(self) -> None:
        pass

    @transition(field=status, source=IncomingStatus.REGISTERED, target=IncomingStatus.IN_REVIEW)
    def send_for_review(self) -> None:
        pass

    @transition(
        field=status,
        source=[IncomingStatus.REGISTERED, IncomingStatus.IN_REVIEW, IncomingStatus.ASSIGNING],
        target=IncomingStatus.IN_WORK,
    )
    def start_work(self) -> None:
        pass

    @transition(field=status, source=IncomingStatus.IN_WORK, target=IncomingStatus.DONE)
    def execute(self, *, report: str) -> None:
        self.completion_comment = report
        self.completed_at = timezone.now()

    @transition(field=status, source=IncomingStatus.IN_WORK, target=IncomingStatus.REPLY_PREPARING)
    def prepare_reply(self) -> None:
        pass

    @transition(field=status, source=IncomingStatus.REPLY_PREPARING, target=IncomingStatus.DONE)
    def close_by_reply(self, *, report: str = "") -> None:
        self.completion_comment = report
        self.completed_at = timezone.now()
