"""Contracts: types with their stages (data), funds, approval rules (data), contracts with a
protected state machine, and the frozen approval route (one Approval row per approver per round)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from workflow.roles import role_choices

DEFAULT_NAME_TEMPLATE = "{type} № {number} от {date} — {counterparty} — {subject}"


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
        help_text=_(
            "Подстановки: {type}, {number}, {date}, {counterparty}, {subject}, {amount}. "
            "Название договора формируется автоматически."
        ),
    )
    extra_fields = models.JSONField(
        _("дополнительные поля"),
        default=list,
        blank=True,
        help_text=_('Список названий полей, например ["Название спектакля", "Дата показа"].'),
    )
    is_active = models.BooleanField(_("используется"), default=True)

    class Meta:
        verbose_name = _("тип договора")
        verbose_name_plural = _("типы договоров")
        ordering = ["direction", "name"]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    """One stage of a type's process. The kinds a type lists decide which optional states of the
    contract's state machine it goes through (preparation, invoice signing)."""

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
    deadline_days = models.PositiveSmallIntegerField(_("срок, рабочих дней"), default=2)

    class Meta:
        verbose_name = _("стадия")
        verbose_name_plural = _("стадии")
        ordering = ["contract_type", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contract_type", "kind"], name="stage_unique_kind")
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
    )
    subject_category = models.ForeignKey(
        SubjectCategory,
        verbose_name=_("категория предмета"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    fund = models.ForeignKey(
        Fund,
        verbose_name=_("источник финансирования"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rules",
    )
    amount_min = models.DecimalField(
        _("сумма от"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    amount_max = models.DecimalField(
        _("сумма до (включительно)"), max_digits=14, decimal_places=2, null=True, blank=True
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
    group = models.PositiveSmallIntegerField(_("группа (очерёдность)"), default=1)
    deadline_days = models.PositiveSmallIntegerField(_("срок, рабочих дней"), default=2)
    is_active = models.BooleanField(_("действует"), default=True)

    class Meta:
        verbose_name = _("правило согласования")
        verbose_name_plural = _("правила согласования")
        ordering = ["group", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(approver_kind="user") | Q(approver_user__isnull=False),
                name="approval_rule_user_needs_user",
            ),
            models.CheckConstraint(
                condition=~Q(approver_kind="role") | ~Q(approver_role=""),
                name="approval_rule_role_needs_role",
            ),
            models.CheckConstraint(
                condition=Q(amount_min__isnull=True)
                | Q(amount_max__isnull=True)
                | Q(amount_max__gte=F("amount_min")),
                name="approval_rule_amount_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Черновик")
    PREPARATION = "preparation", _("Подготовка документоведом")
    APPROVAL = "approval", _("Согласование")
    RETURNED = "returned", _("На доработке")
    INVOICE_SIGNING = "invoice_signing", _("Подписание счёта")
    SIGNING = "signing", _("Подписание договора")
    ACTIVE = "active", _("Действует")
    REJECTED = "rejected", _("Отклонён")


# which configured stage a state shows as (returned sits on the draft stage, like Bitrix)
STATUS_STAGE = {
    ContractStatus.DRAFT: StageKind.DRAFT,
    ContractStatus.RETURNED: StageKind.DRAFT,
    ContractStatus.PREPARATION: StageKind.PREPARATION,
    ContractStatus.APPROVAL: StageKind.APPROVAL,
    ContractStatus.INVOICE_SIGNING: StageKind.INVOICE_SIGNING,
    ContractStatus.SIGNING: StageKind.CONTRACT_SIGNING,
    ContractStatus.ACTIVE: StageKind.ACTIVE,
    ContractStatus.REJECTED: StageKind.REJECTED,
}

EDITABLE = (ContractStatus.DRAFT, ContractStatus.RETURNED)
IN_PROGRESS = (
    ContractStatus.PREPARATION,
    ContractStatus.APPROVAL,
    ContractStatus.INVOICE_SIGNING,
    ContractStatus.SIGNING,
)


class Contract(models.Model):
    number = models.PositiveIntegerField(_("номер"), unique=True, null=True, blank=True)
    name = models.CharField(_("название"), max_length=500, blank=True, editable=False)
    contract_type = models.ForeignKey(
        ContractType, verbose_name=_("тип договора"), on_delete=models.PROTECT, related_name="+"
    )
    subject_category = models.ForeignKey(
        SubjectCategory,
        verbose_name=_("категория предмета"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    subject = models.CharField(_("предмет договора"), max_length=255)
    counterparty = models.ForeignKey(
        "crm.Counterparty",
        verbose_name=_("контрагент"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    amount = models.DecimalField(_("сумма, ₽"), max_digits=14, decimal_places=2)
    fund = models.ForeignKey(
        Fund,
        verbose_name=_("источник финансирования"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contracts",
    )
    starts_on = models.DateField(_("начало действия"), null=True, blank=True)
    ends_on = models.DateField(_("окончание действия"), null=True, blank=True)
    extra = models.JSONField(_("дополнительные поля"), default=dict, blank=True)
    initiator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("инициатор"),
        on_delete=models.PROTECT,
        related_name="initiated_contracts",
    )
    department = models.ForeignKey(
        "workflow.Department",
        verbose_name=_("подразделение инициатора"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("участники"),
        blank=True,
        related_name="contract_participations",
    )
    status = FSMField(
        _("состояние"),
        max_length=20,
        choices=ContractStatus.choices,
        default=ContractStatus.DRAFT,
        protected=True,
    )
    round = models.PositiveSmallIntegerField(_("круг согласования"), default=0)
    created_at = models.DateTimeField(_("создан"), default=timezone.now)
    submitted_at = models.DateTimeField(_("отправлен на согласование"), null=True, blank=True)
    stage_changed_at = models.DateTimeField(_("стадия изменена"), default=timezone.now)

    class Meta:
        verbose_name = _("договор")
        verbose_name_plural = _("договоры")
        ordering = ["-created_at", "-id"]
        indexes = [
            # icontains runs UPPER(name) LIKE UPPER('%…%'): a trigram index on that expression
            GinIndex(OpClass(Upper("name"), name="gin_trgm_ops"), name="contract_name_upper_trgm"),
            models.Index(fields=["contract_type", "status"], name="contract_type_status"),
            models.Index(fields=["status", "-created_at"], name="contract_status_created"),
            models.Index(fields=["initiator", "-created_at"], name="contract_initiator"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="contract_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="contract_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"№ {self.number or '—'}"

    def get_absolute_url(self) -> str:
        return reverse("contracts:contract-detail", args=[self.pk])

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def stage_kind(self) -> str:
        return STATUS_STAGE[ContractStatus(self.status)]

    # --- transitions: only set fields ------------------------------------------------------------

    @transition(field=status, source=list(EDITABLE), target=ContractStatus.PREPARATION)
    def send_to_preparation(self) -> None:
        self._submitted()

    @transition(
        field=status,
        source=[*EDITABLE, ContractStatus.PREPARATION],
        target=ContractStatus.APPROVAL,
    )
    def start_approval(self) -> None:
        if self.status in EDITABLE:
            self._submitted()
        self.stage_changed_at = timezone.now()

    def _submitted(self) -> None:
        self.round += 1
        self.submitted_at = timezone.now()
        self.stage_changed_at = self.submitted_at

    @transition(
        field=status,
        source=[ContractStatus.PREPARATION, ContractStatus.APPROVAL],
        target=ContractStatus.RETURNED,
    )
    def return_for_revision(self) -> None:
        self.stage_changed_at = timezone.now()

    @transition(
        field=status,
        source=ContractStatus.APPROVAL,
        target=ContractStatus.INVOICE_SIGNING,
        conditions=[lambda contract: contract.fund_gate_open()],
    )
    def open_invoice_signing(self) -> None:
        self.stage_changed_at = timezone.now()

    @transition(
        field=status,
        source=[ContractStatus.APPROVAL, ContractStatus.INVOICE_SIGNING],
        target=ContractStatus.SIGNING,
    )
    def open_signing(self) -> None:
        self.stage_changed_at = timezone.now()

    @transition(field=status, source=ContractStatus.SIGNING, target=ContractStatus.ACTIVE)
    def activate(self) -> None:
        self.stage_changed_at = timezone.now()

    @transition(
        field=status,
        source=[ContractStatus.RETURNED, ContractStatus.SIGNING, ContractStatus.INVOICE_SIGNING],
        target=ContractStatus.REJECTED,
    )
    def reject(self) -> None:
        self.stage_changed_at = timezone.now()

    def fund_gate_open(self) -> bool:
        """R18: every employee attached to the fund approved in the current round."""
        if self.fund_id is None:
            return True
        member_ids = set(self.fund.members.values_list("id", flat=True))
        approved = set(
            self.approvals.filter(round=self.round, status=ApprovalStatus.APPROVED).values_list(
                "approver_id", flat=True
            )
        )
        return member_ids <= approved


class ApprovalStatus(models.TextChoices):
    WAITING = "waiting", _("Ожидает очереди")
    PENDING = "pending", _("На согласовании")
    APPROVED = "approved", _("Согласовано")
    RETURNED = "returned", _("Возвращено на доработку")
    CANCELLED = "cancelled", _("Не потребовалось")


class Approval(models.Model):
    """One approver of one round, frozen at submit from the rules."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("договор"), on_delete=models.CASCADE, related_name="approvals"
    )
    round = models.PositiveSmallIntegerField(_("круг"))
    group = models.PositiveSmallIntegerField(_("группа"))
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("согласующий"),
        on_delete=models.PROTECT,
        related_name="contract_approvals",
    )
    reason = models.CharField(_("основание"), max_length=255, blank=True)
    deadline_days = models.PositiveSmallIntegerField(_("срок, рабочих дней"), default=2)
    status = models.CharField(
        _("статус"), max_length=16, choices=ApprovalStatus.choices, default=ApprovalStatus.WAITING
    )
    task = models.OneToOneField(
        "workflow.Task",
        verbose_name=_("задание"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contract_approval",
    )
    started_at = models.DateTimeField(_("поступило"), null=True, blank=True)
    due_at = models.DateTimeField(_("срок"), null=True, blank=True)
    decided_at = models.DateTimeField(_("решение"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кем принято решение"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    comment = models.TextField(_("комментарий"), blank=True)

    class Meta:
        verbose_name = _("согласование")
        verbose_name_plural = _("лист согласования")
        ordering = ["contract", "round", "group", "id"]
        indexes = [
            models.Index(fields=["decided_at"], name="approval_decided"),
            models.Index(fields=["approver", "status"], name="approval_approver_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "round", "approver"], name="approval_unique_per_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}/{self.round}/{self.group}: {self.approver}"

    @property
    def on_time(self) -> bool | None:
        if self.decided_at is None or self.due_at is None:
            return None
        return self.decided_at <= self.due_at

    @property
    def is_overdue(self) -> bool:
        return (
            self.status == ApprovalStatus.PENDING
            and self.due_at is not None
            and self.due_at < timezone.now()
        )


class ContractComment(models.Model):
    contract = models.ForeignKey(
        Contract, verbose_name=_("договор"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("автор"), on_delete=models.PROTECT
    )
    text = models.TextField(_("текст"))
    created_at = models.DateTimeField(_("когда"), default=timezone.now)

    class Meta:
        verbose_name = _("комментарий")
        verbose_name_plural = _("комментарии")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]


class ContractFile(models.Model):
    """A file attached to a contract; the bytes live in storage (permission-checked download)."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("договор"), on_delete=models.CASCADE, related_name="files"
    )
    stored_file = models.ForeignKey(
        "storage.StoredFile",
        verbose_name=_("файл"),
        on_delete=models.PROTECT,
        related_name="contract_links",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("добавил"), on_delete=models.PROTECT
    )
    added_at = models.DateTimeField(_("добавлен"), default=timezone.now)

    class Meta:
        verbose_name = _("файл договора")
        verbose_name_plural = _("файлы договора")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "stored_file"], name="contract_file_unique")
        ]

    def __str__(self) -> str:
        return str(self.stored_file)
