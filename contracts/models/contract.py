"""The contract and its protected state machine. The state follows the route's stages: the
initiator's transitions (submit, withdraw, give up) declare who may run them; the others are run
by the route's hooks when a stage opens or the route ends."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import GET_STATE, FSMField, transition

from argo_docs.reversing import pk_url
from contracts.models.config import ContractType, Fund, StageKind, SubjectCategory


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Черновик")
    PREPARATION = "preparation", _("Подготовка документоведом")
    APPROVAL = "approval", _("Согласование")
    RETURNED = "returned", _("На доработке")
    INVOICE_SIGNING = "invoice_signing", _("Подписание счёта")
    SIGNING = "signing", _("Подписание договора")
    ACTIVE = "active", _("Действует")
    REJECTED = "rejected", _("Отклонён")


class Phase:
    """The contract's codes for route stages (``RouteStage.phase``)."""

    PREPARATION = "preparation"
    APPROVAL = "approval"
    FUND_MEMBERS = "fund_members"  # R18: fund members still to approve before signing
    INVOICE_SIGNING = "invoice_signing"
    CONTRACT_SIGNING = "contract_signing"

    APPROVING = (PREPARATION, APPROVAL, FUND_MEMBERS)
    SIGNING = (INVOICE_SIGNING, CONTRACT_SIGNING)


# the state a contract is in while a stage of that phase runs
PHASE_STATE = {
    Phase.PREPARATION: ContractStatus.PREPARATION,
    Phase.APPROVAL: ContractStatus.APPROVAL,
    Phase.FUND_MEMBERS: ContractStatus.APPROVAL,
    Phase.INVOICE_SIGNING: ContractStatus.INVOICE_SIGNING,
    Phase.CONTRACT_SIGNING: ContractStatus.SIGNING,
}

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


def _is_initiator(contract, user) -> bool:
    return user is not None and contract.initiator_id == user.pk


def _fund_gate_open(contract) -> bool:
    return contract.fund_gate_open()


def _gate_unless_invoice_signed(contract) -> bool:
    # straight from approval to signing (no invoice stage): the fund gate holds there too
    return contract.status == ContractStatus.INVOICE_SIGNING or contract.fund_gate_open()


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
    # who may see the contract besides the initiator: everyone its route reached
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
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="contract_amount_not_negative",
                violation_error_message=_("Сумма договора не может быть отрицательной."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(starts_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="contract_ends_after_start",
                violation_error_message=_("Договор не может закончиться раньше, чем начался."),
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"№ {self.number or '—'}"

    def get_absolute_url(self) -> str:
        return pk_url("contracts:contract-detail", self.pk)

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def stage_kind(self) -> str:
        return STATUS_STAGE[ContractStatus(self.status)]

    def fund_gate_open(self) -> bool:
        """R18: every active employee attached to the fund approved in the current round."""
        from contracts.routing import fund_members_missing

        return self.fund_id is None or not fund_members_missing(self).exists()

    # --- transitions: only set fields ------------------------------------------------------------

    def _moved(self) -> None:
        self.stage_changed_at = timezone.now()

    @transition(
        field=status,
        source=list(EDITABLE),
        target=GET_STATE(
            lambda contract, phase: PHASE_STATE[phase],
            states=list(IN_PROGRESS),
        ),
        permission=_is_initiator,
    )
    def submit(self, *, phase: str) -> None:
        """The initiator sends the contract along its route; ``phase`` is the first stage's."""
        self._moved()
        self.submitted_at = self.stage_changed_at

    @transition(field=status, source=ContractStatus.PREPARATION, target=ContractStatus.APPROVAL)
    def start_approval(self) -> None:
        self._moved()

    @transition(
        field=status,
        source=[ContractStatus.PREPARATION, ContractStatus.APPROVAL],
        target=ContractStatus.INVOICE_SIGNING,
        conditions=[_fund_gate_open],
    )
    def open_invoice_signing(self) -> None:
        self._moved()

    @transition(
        field=status,
        source=[
            ContractStatus.PREPARATION,
            ContractStatus.APPROVAL,
            ContractStatus.INVOICE_SIGNING,
        ],
        target=ContractStatus.SIGNING,
        conditions=[_gate_unless_invoice_signed],
    )
    def open_signing(self) -> None:
        self._moved()

    @transition(field=status, source=ContractStatus.SIGNING, target=ContractStatus.ACTIVE)
    def activate(self) -> None:
        self._moved()

    @transition(
        field=status,
        source=[ContractStatus.PREPARATION, ContractStatus.APPROVAL],
        target=ContractStatus.RETURNED,
    )
    def return_for_revision(self) -> None:
        self._moved()

    @transition(
        field=status,
        source=[ContractStatus.INVOICE_SIGNING, ContractStatus.SIGNING],
        target=ContractStatus.REJECTED,
    )
    def reject(self) -> None:
        self._moved()

    @transition(
        field=status,
        source=list(IN_PROGRESS),
        target=ContractStatus.DRAFT,
        permission=_is_initiator,
    )
    def withdraw(self) -> None:
        """The initiator takes the contract back from its route into a draft."""
        self._moved()

    @transition(
        field=status,
        source=ContractStatus.RETURNED,
        target=ContractStatus.REJECTED,
        permission=_is_initiator,
    )
    def give_up(self) -> None:
        """The initiator gives up a contract returned for revision: it ends as rejected."""
        self._moved()
