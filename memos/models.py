"""The internal memo (служебная записка): an employee writes to a head or the general director;
the route engine carries it up the chain of heads to the addressee's decision."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, transition

from argo_docs.reversing import pk_url

USER, ENTITY = settings.AUTH_USER_MODEL, "workflow.LegalEntity"


class MemoStatus(models.TextChoices):
    DRAFT = "draft", _("Черновик")
    APPROVAL = "approval", _("На согласовании")
    REVIEW = "review", _("У адресата")
    RETURNED = "returned", _("На доработке")
    EXECUTION = "execution", _("На исполнении")
    APPROVED = "approved", _("Утверждена")
    EXECUTED = "executed", _("Исполнено")
    DECLINED = "declined", _("Отклонена")


S = MemoStatus
EDITABLE = [S.DRAFT, S.RETURNED]
WITHDRAWABLE = [S.APPROVAL, S.REVIEW, S.RETURNED]


def _is_author(memo, user) -> bool:
    return memo.author_id == user.pk


def _label(text) -> dict:
    return {"label": text}  # the history row's text (``transition_apply``)


class Memo(models.Model):
    legal_entity = models.ForeignKey(ENTITY, models.PROTECT, verbose_name=_("юрлицо"))
    author = models.ForeignKey(USER, models.PROTECT, verbose_name=_("автор"), related_name="+")
    addressee = models.ForeignKey(USER, models.PROTECT, verbose_name=_("кому"), related_name="+")
    subject = models.CharField(_("тема"), max_length=500)
    text = models.TextField(_("текст"))
    acknowledgers = models.ManyToManyField(USER, verbose_name=_("ознакомить"), related_name="+")
    number = models.CharField(_("номер"), max_length=32, blank=True)
    year = models.PositiveSmallIntegerField(_("год"), null=True)
    sequence = models.PositiveIntegerField(_("порядковый номер"), null=True)
    status = FSMField(
        _("состояние"), max_length=16, choices=S.choices, default=S.DRAFT, protected=True
    )
    created_at = models.DateTimeField(_("создана"), default=timezone.now)
    submitted_at = models.DateTimeField(_("зарегистрирована"), null=True)
    resolution = models.TextField(_("резолюция или причина отказа"), blank=True)
    decided_at = models.DateTimeField(_("решение принято"), null=True)

    class Meta:
        verbose_name = _("служебная записка")
        verbose_name_plural = _("служебные записки")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["legal_entity", "year", "sequence"], name="memo_number")
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="memo_recent"),
            models.Index(fields=["status", "-created_at"], name="memo_status"),
            models.Index(fields=["author", "-created_at"], name="memo_author"),
            models.Index(fields=["addressee", "-created_at"], name="memo_addressee"),
            GinIndex(OpClass(Upper("subject"), name="gin_trgm_ops"), name="memo_subject_trgm"),
            GinIndex(OpClass(Upper("number"), name="gin_trgm_ops"), name="memo_number_trgm"),
        ]

    def __str__(self) -> str:
        return f"{self.number or _('черновик')} — {self.subject}"

    def get_absolute_url(self) -> str:
        return pk_url("memos:detail", self.pk)

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    # --- transitions: they only set fields; the route engine's hooks run them ---

    @transition(status, EDITABLE, RETURN_VALUE(S.APPROVAL, S.REVIEW), permission=_is_author)
    def submit(self, *, to_addressee: bool) -> str:
        self.submitted_at = self.submitted_at or timezone.now()
        return S.REVIEW if to_addressee else S.APPROVAL

    @transition(status, S.APPROVAL, S.REVIEW, custom=_label(_("Согласована, передана адресату")))
    def forward(self) -> None:
        pass

    @transition(status, [S.APPROVAL, S.REVIEW], S.RETURNED, custom=_label(_("Возвращена автору")))
    def return_for_revision(self) -> None:
        pass

    @transition(status, WITHDRAWABLE, S.DRAFT, permission=_is_author, custom=_label(_("Отозвана")))
    def withdraw(self) -> None:
        pass

    @transition(
        status, S.REVIEW, RETURN_VALUE(S.EXECUTION, S.APPROVED), custom=_label(_("Утверждена"))
    )
    def approve(self, *, resolution: str, execution: bool) -> str:
        self.resolution, self.decided_at = resolution, timezone.now()
        return S.EXECUTION if execution else S.APPROVED

    @transition(status, S.EXECUTION, S.EXECUTED, custom=_label(_("Все исполнители отчитались")))
    def execute(self) -> None:
        pass

    @transition(status, S.REVIEW, S.DECLINED, custom=_label(_("Адресат отклонил записку")))
    def decline(self, *, reason: str) -> None:
        self.resolution, self.decided_at = reason, timezone.now()


class MemoFile(models.Model):
    """Storage knows no memos: the link lives here."""

    memo = models.ForeignKey(Memo, models.CASCADE, related_name="files")
    stored_file = models.ForeignKey("storage.StoredFile", models.PROTECT, verbose_name=_("файл"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["memo", "stored_file"], name="memo_file")]

    def __str__(self) -> str:
        return str(self.stored_file_id)


class MemoCounter(models.Model):
    """The last memo number of a legal entity in a year; locked while a number is taken."""

    legal_entity = models.ForeignKey(ENTITY, models.CASCADE)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["legal_entity", "year"], name="memo_year")]

    def __str__(self) -> str:
        return f"{self.legal_entity_id}/{self.year}: {self.last_number}"
