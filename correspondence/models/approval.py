"""Approval settings of outgoing letters: how far up the org structure a letter goes per legal
entity, and extra approvers by rule. The approval itself runs on the shared route engine."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from correspondence import roles
from crm.models import CounterpartyCategory
from workflow.roles import role_choices


class ChainMode(models.TextChoices):
    EXECUTOR = "executor", _("Только исполнитель проверяет и согласует отправку")
    DEPTH = "depth", _("Руководители автора на заданное число уровней вверх")
    ROLE = "role", _("Руководители автора вверх до должности (роли)")


class OutgoingApprovalSettings(models.Model):
    """How far up the org structure letters of one legal entity go for approval."""

    legal_entity = models.OneToOneField(
        "workflow.LegalEntity",
        verbose_name=_("юридическое лицо"),
        on_delete=models.CASCADE,
        related_name="outgoing_approval_settings",
    )
    mode = models.CharField(
        _("цепочка согласования"), max_length=16, choices=ChainMode.choices, default=ChainMode.ROLE
    )
    depth = models.PositiveSmallIntegerField(
        _("уровней вверх"),
        default=1,
        help_text=_("Для режима «на заданное число уровней»."),
        validators=[MinValueValidator(0), MaxValueValidator(20)],
    )
    top_role = models.CharField(
        _("до должности"),
        max_length=32,
        choices=[
            (roles.DIRECTOR, _("Директор")),
            (roles.GENERAL_DIRECTOR, _("Генеральный директор")),
        ],
        default=roles.GENERAL_DIRECTOR,
        help_text=_(
            "Для режима «до должности»: цепочка заканчивается на первом руководителе с ней."
        ),
    )
    approval_working_days = models.PositiveSmallIntegerField(
        _("срок согласования, рабочих дней"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    reminder_working_days = models.PositiveSmallIntegerField(
        _("напоминание за, рабочих дней"),
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
    )
    counterparty_number_working_days = models.PositiveSmallIntegerField(
        _("срок получения номера контрагента, рабочих дней"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(250)],
    )
    reaction_check_working_days = models.PositiveSmallIntegerField(
        _("проверка реакции за, рабочих дней до контрольного срока"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(250)],
    )

    class Meta:
        verbose_name = _("настройки согласования исходящих")
        verbose_name_plural = _("настройки согласования исходящих")

    def __str__(self) -> str:
        return str(self.legal_entity)


class ExtraApprover(models.Model):
    """An approver added to the chain by rule (e.g. the lawyer for letters to government bodies)."""

    legal_entity = models.ForeignKey(
        "workflow.LegalEntity",
        verbose_name=_("юридическое лицо"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Пусто: для всех юрлиц."),
    )
    category = models.CharField(
        _("категория контрагента"),
        max_length=20,
        choices=CounterpartyCategory.choices,
        blank=True,
        help_text=_("Пусто: для всех контрагентов."),
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("согласующий"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField(
        _("или роль"),
        max_length=32,
        choices=role_choices,
        blank=True,
        help_text=_("Если согласующий не указан: первый сотрудник с этой ролью."),
    )
    is_active = models.BooleanField(_("действует"), default=True)

    class Meta:
        verbose_name = _("дополнительный согласующий")
        verbose_name_plural = _("дополнительные согласующие")
        ordering = ["id"]

    def __str__(self) -> str:
        who = self.approver or self.get_role_display()
        return f"{who} ({self.get_category_display() or _('все')})"

    def clean(self) -> None:
        if not self.approver_id and not self.role:
            raise ValidationError(_("Укажите согласующего или роль."))
