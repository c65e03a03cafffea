"""What an administrator configures: contract types (name template, typed extra fields, stages),
subject categories, funds and the approval rules the route builder reads."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contracts.name_template import DEFAULT_NAME_TEMPLATE, PLACEHOLDERS_HELP, validate_name_template
from workflow.roles import role_choices


class Direction(models.TextChoices):
    INCOME = "income", _("Доходный")
    EXPENSE = "expense", _("Расходный")


class StageKind(models.TextChoices):
    DRAFT = "draft", _("Черновик")
    PREPARATION = "preparation", _("Подготовка документоведом")
    APPROVAL = "approval", _("Согласование")
    INVOICE_SIGNING = "invoice_signing", _("Подписание счёта")
    CONTRACT_SIGNING = "contract_signing", _("Подписание договора")
    ACTIVE = "active", _("Действует")
    REJECTED = "rejected", _("Отклонён")


class ContractType(models.Model):
    name = models.CharField(_("название"), max_length=150, unique=True)
    direction = models.CharField(_("вид"), max_length=16, choices=Direction.choices)
    name_template = models.CharField(
        _("шаблон названия"),
        max_length=255,
        default=DEFAULT_NAME_TEMPLATE,
        validators=[validate_name_template],
        help_text=PLACEHOLDERS_HELP,
    )
    is_active = models.BooleanField(_("используется"), default=True)

    class Meta:
        verbose_name = _("тип договора")
        verbose_name_plural = _("типы договоров")
        ordering = ["direction", "name"]

    def __str__(self) -> str:
        return self.name


class FieldKind(models.TextChoices):
    TEXT = "text", _("Текст")
    NUMBER = "number", _("Число")
    DATE = "date", _("Дата")
    CHOICE = "choice", _("Выбор из списка")


class ContractField(models.Model):
    """An extra field of a contract type («Номер счёта», «Дата показа»): the contract form renders
    and validates it; the value is kept in ``Contract.extra`` under the label."""

    contract_type = models.ForeignKey(
        ContractType,
        verbose_name=_("тип договора"),
        on_delete=models.CASCADE,
        related_name="fields",
    )
    label = models.CharField(_("название поля"), max_length=100)
    kind = models.CharField(_("тип"), max_length=8, choices=FieldKind.choices, default="text")
    required = models.BooleanField(_("обязательное"), default=False)
    choices = models.TextField(
        _("варианты"),
        blank=True,
        help_text=_("Для типа «Выбор из списка»: по одному варианту в строке."),
    )
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("дополнительное поле")
        verbose_name_plural = _("дополнительные поля")
        ordering = ["contract_type", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract_type", "label"],
                name="contract_field_unique_label",
                violation_error_message=_("У этого типа договора уже есть поле с таким названием."),
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self) -> None:
        self.label = " ".join((self.label or "").split())
        if self.kind == FieldKind.CHOICE and not self.choice_list:
            raise ValidationError(
                {"choices": gettext("Укажите варианты выбора, по одному в строке.")}
            )
        if self.kind != FieldKind.CHOICE and self.choice_list:
            raise ValidationError(
                {"choices": gettext("Варианты нужны только для типа «Выбор из списка».")}
            )


class Stage(models.Model):
    """One stage of a type's process. The kinds a type lists decide which optional stages of the
    route it gets (preparation, invoice signing) and who takes them."""

    contract_type = models.ForeignKey(
        ContractType,
        verbose_name=_("тип договора"),
        on_delete=models.CASCADE,
        related_name="stages",
    )
    kind = models.CharField(_("вид стадии"), max_length=20, choices=StageKind.choices)
    name = models.CharField(_("название"), max_length=100)
    order = models.PositiveSmallIntegerField(_("порядок"), default=0)
    assignee_role = models.CharField(
        _("исполнитель: роль"),
        max_length=32,
        choices=role_choices,
        blank=True,
        help_text=_("Для стадий подготовки и подписания: кто получает задание."),
    )
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("исполнитель: сотрудник"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    deadline_days = models.PositiveSmallIntegerField(
        _("срок, рабочих дней"), default=2, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )

    class Meta:
        verbose_name = _("стадия")
        verbose_name_plural = _("стадии")
        ordering = ["contract_type", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract_type", "kind"],
                name="stage_unique_kind",
                violation_error_message=_("У этого типа договора уже есть стадия этого вида."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class SubjectCategory(models.Model):
    name = models.CharField(_("название"), max_length=150, unique=True)

    class Meta:
        verbose_name = _("категория предмета")
        verbose_name_plural = _("категории предмета")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Fund(models.Model):
    """A funding source: its owner and the employees attached to it (R18)."""

    name = models.CharField(_("название"), max_length=150, unique=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("владелец"),
        on_delete=models.PROTECT,
        related_name="owned_funds",
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("прикреплённые сотрудники"),
        blank=True,
        related_name="contract_funds",
    )

    class Meta:
        verbose_name = _("источник финансирования")
        verbose_name_plural = _("источники финансирования")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApproverKind(models.TextChoices):
    USER = "user", _("Конкретный сотрудник")
    ROLE = "role", _("Все сотрудники с ролью")
    DEPARTMENT_HEAD = "department_head", _("Руководитель инициатора")
    FUND_OWNER = "fund_owner", _("Владелец фонда")
    FUND_MEMBERS = "fund_members", _("Все прикреплённые к фонду")


ANY_CONDITION = _("Пусто — любой.")


class ApprovalRule(models.Model):
    """When a contract matches the conditions (empty = any), who approves, in which group
    (groups run in order, approvers inside a group in parallel) and within how many working days."""

    name = models.CharField(_("название"), max_length=150)
    contract_type = models.ForeignKey(
        ContractType,
        verbose_name=_("тип договора"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rules",
        help_text=ANY_CONDITION,
    )
    subject_category = models.ForeignKey(
        SubjectCategory,
        verbose_name=_("категория предмета"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=ANY_CONDITION,
    )
    fund = models.ForeignKey(
        Fund,
        verbose_name=_("источник финансирования"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rules",
        help_text=ANY_CONDITION,
    )
    amount_min = models.DecimalField(
        _("сумма от"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Пусто — без нижней границы."),
    )
    amount_max = models.DecimalField(
        _("сумма до (включительно)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Пусто — без верхней границы."),
    )
    approver_kind = models.CharField(
        _("кто согласует"), max_length=20, choices=ApproverKind.choices
    )
    approver_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("сотрудник"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approver_role = models.CharField(_("роль"), max_length=32, choices=role_choices, blank=True)
    group = models.PositiveSmallIntegerField(
        _("группа (очерёдность)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    deadline_days = models.PositiveSmallIntegerField(
        _("срок, рабочих дней"), default=2, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    is_active = models.BooleanField(_("действует"), default=True)

    class Meta:
        verbose_name = _("правило согласования")
        verbose_name_plural = _("правила согласования")
        ordering = ["group", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(approver_kind="user") | Q(approver_user__isnull=False),
                name="approval_rule_user_needs_user",
                violation_error_message=_(
                    "Выберите сотрудника: правило «Конкретный сотрудник» без него не работает."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(approver_kind="role") | ~Q(approver_role=""),
                name="approval_rule_role_needs_role",
                violation_error_message=_(
                    "Выберите роль: правило «Все сотрудники с ролью» без неё не работает."
                ),
            ),
            models.CheckConstraint(
                condition=Q(amount_min__isnull=True)
                | Q(amount_max__isnull=True)
                | Q(amount_max__gte=F("amount_min")),
                name="approval_rule_amount_range",
                violation_error_message=_("Верхняя граница суммы меньше нижней."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The database constraints, said in words an administrator understands."""
        errors = {}
        if self.approver_kind == ApproverKind.USER and self.approver_user_id is None:
            errors["approver_user"] = gettext(
                "Выберите сотрудника: правило «Конкретный сотрудник» без него не работает."
            )
        if self.approver_kind == ApproverKind.ROLE and not self.approver_role:
            errors["approver_role"] = gettext(
                "Выберите роль: правило «Все сотрудники с ролью» без неё не работает."
            )
        if (
            self.amount_min is not None
            and self.amount_max is not None
            and self.amount_max < self.amount_min
        ):
            errors["amount_max"] = gettext("Верхняя граница суммы меньше нижней.")
        if errors:
            raise ValidationError(errors)

    def conditions_text(self) -> str:
        parts = [
            str(self.contract_type or gettext("любой тип")),
            str(self.subject_category or gettext("любой предмет")),
            str(self.fund or gettext("любой фонд")),
        ]
        if self.amount_min is not None or self.amount_max is not None:
            low = f"{self.amount_min:,.0f}".replace(",", " ") if self.amount_min else "0"
            high = f"{self.amount_max:,.0f}".replace(",", " ") if self.amount_max else "∞"
            parts.append(f"{low}–{high} ₽")
        else:
            parts.append(gettext("любая сумма"))
        return " · ".join(parts)
