"""The contract on the shared route engine: the initiator's submit, resubmit and withdraw, and the
hooks that move the contract's state as the route's stages open and the route ends. Decisions
(approve, return, sign, reject) are the engine's own; the R18 fund gate is a hook that adds a
stage for fund members attached after submission."""

from __future__ import annotations

import rules
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import TransitionNotAllowed

from contracts import routing
from contracts.models import EDITABLE, IN_PROGRESS, PHASE_STATE, Contract, ContractStatus, Phase
from contracts.models import Stage as ConfiguredStage
from contracts.services.editing import _locked
from contracts.services.naming import amount_text
from workflow.access import access_refresh
from workflow.models import HistoryAction, StageStatus
from workflow.routes.registry import RouteHooks
from workflow.routes.services import route_stage_insert, route_start, route_withdraw
from workflow.selectors import head_of
from workflow.services import display_name, history_record, notification_send
from workflow.transitions import transition_apply


def describe(contract: Contract) -> str:
    return _("договор № %(number)s, %(counterparty)s") % {
        "number": contract.number,
        "counterparty": contract.counterparty.name,
    }


# --- the initiator's services --------------------------------------------------------------------


def contract_submit(
    *, contract_id: int, user, fingerprint: str | None = None, note: str = ""
) -> Contract:
    """Send the contract along the route the rules give today (the one the initiator confirmed:
    ``fingerprint``). After a return ``note`` («что исправлено») is required; it opens the next
    round and is shown to its participants."""
    note = (note or "").strip()
    with transaction.atomic():
        contract = _locked(contract_id)
        if not rules.has_perm("contracts.submit_contract", user, contract):
            if contract.initiator_id == user.pk and contract.status not in EDITABLE:
                raise TransitionNotAllowed(_("Договор уже отправлен на согласование."))
            raise PermissionDenied(_("Отправить договор может только его инициатор."))
        if contract.status == ContractStatus.RETURNED and not note:
            raise ValidationError(
                {"note": _("Напишите, что исправлено: это увидят согласующие следующего круга.")}
            )
        plan = routing.route_plan(contract)
        if fingerprint is not None and fingerprint != routing.route_fingerprint(plan):
            raise TransitionNotAllowed(
                _("Маршрут согласования изменился. Проверьте его и подтвердите снова.")
            )
        route_start(
            subject=contract,
            document_type_code=routing.DOC_TYPE,
            plan=plan,
            actor=user,
            note=note,
        )
    return contract


def contract_resubmit(*, document_id: int, user, note: str) -> Contract:
    """The initiator's revision task: resubmit with what was fixed."""
    return contract_submit(contract_id=document_id, user=user, note=note)


def contract_withdraw(*, contract_id: int, user, reason: str = "") -> Contract:
    """The initiator takes a contract back from its route (it becomes a draft again) or gives up
    one returned for revision (it ends as rejected). Open tasks close."""
    with transaction.atomic():
        contract = _locked(contract_id)
        if contract.initiator_id != user.pk:
            raise PermissionDenied(_("Отозвать договор может только его инициатор."))
        if contract.status not in (*IN_PROGRESS, ContractStatus.RETURNED):
            raise TransitionNotAllowed(
                _("Отозвать можно договор на согласовании или на доработке. Обновите страницу.")
            )
        route_withdraw(subject=contract, actor=user, reason=(reason or "").strip())
    return contract


# --- hooks: the route moves the contract ---------------------------------------------------------

TASK_TITLES = {
    Phase.PREPARATION: gettext_lazy("Подготовить договор № %(number)s, %(counterparty)s"),
    Phase.APPROVAL: gettext_lazy("Согласовать договор № %(number)s, %(counterparty)s"),
    Phase.FUND_MEMBERS: gettext_lazy("Согласовать договор № %(number)s, %(counterparty)s"),
    Phase.INVOICE_SIGNING: gettext_lazy(
        "Подписать счёт по договору № %(number)s, %(counterparty)s"
    ),
    Phase.CONTRACT_SIGNING: gettext_lazy("Подписать договор № %(number)s, %(counterparty)s"),
}
# the route-driven transition into each phase, and what history says about it
PHASE_TRANSITIONS = {
    Phase.APPROVAL: ("start_approval", gettext_lazy("Подготовлен; начато согласование")),
    Phase.FUND_MEMBERS: ("start_approval", gettext_lazy("Подготовлен; начато согласование")),
    Phase.INVOICE_SIGNING: (
        "open_invoice_signing",
        gettext_lazy("Согласовано всеми; открыто подписание счёта"),
    ),
    Phase.CONTRACT_SIGNING: ("open_signing", gettext_lazy("Открыто подписание договора")),
}
SUBMITTED = {
    Phase.PREPARATION: gettext_lazy("Отправлен на подготовку документоведу"),
    Phase.APPROVAL: gettext_lazy("Отправлен на согласование"),
    Phase.FUND_MEMBERS: gettext_lazy("Отправлен на согласование"),
    Phase.INVOICE_SIGNING: gettext_lazy("Отправлен на подписание счёта"),
    Phase.CONTRACT_SIGNING: gettext_lazy("Отправлен на подписание"),
}


def _participants_add(contract: Contract, steps) -> None:
    """Everyone the route reaches (and their deputies) may see the contract."""
    people = {s.participant_id for s in steps if s.participant_id}
    people |= {s.deputy_id for s in steps if s.deputy_id}
    if people:
        contract.participants.add(*people)
        access_refresh(contract)


class ContractHooks(RouteHooks):
    def task_title(self, contract, *, step) -> str:
        title = TASK_TITLES.get(step.stage.phase, TASK_TITLES[Phase.APPROVAL])
        return str(title) % {"number": contract.number, "counterparty": contract.counterparty.name}

    def task_description(self, contract, *, step) -> str:
        lines = [
            contract.name,
            _("Сумма: %(amount)s ₽") % {"amount": amount_text(contract.amount)},
            _("Источник финансирования: %(fund)s") % {"fund": contract.fund or "—"},
            _("Инициатор: %(who)s") % {"who": display_name(contract.initiator)},
        ]
        return "\n".join(lines)

    def resolve_step(self, contract, *, step):
        if step.role == routing.ROLE_INITIATOR_HEAD:
            return head_of(contract.initiator)
        configured = ConfiguredStage.objects.filter(
            contract_type_id=contract.contract_type_id, kind=step.role
        ).first()
        return routing.stage_assignee(contract, step.role, configured)

    def on_round_started(self, contract, *, route, round, actor) -> None:
        stages = list(route.stages.filter(round=round.number).order_by("order"))
        steps = [s for stage in stages for s in stage.steps.all()]
        what = str(SUBMITTED[stages[0].phase])
        description = _("%(what)s: круг %(round)s, участников %(count)s") % {
            "what": what,
            "round": round.number,
            "count": len({s.participant_id or s.role for s in steps}),
        }
        transition_apply(
            contract,
            "submit",
            actor=actor,
            comment=round.note,
            description=description,
            phase=stages[0].phase,
        )
        _participants_add(contract, steps)

    def on_stage_started(self, contract, *, route, stage, actor) -> None:
        _participants_add(contract, stage.steps.all())
        if PHASE_STATE[stage.phase] == contract.status:
            return
        name, description = PHASE_TRANSITIONS[stage.phase]
        transition_apply(contract, name, actor=actor, description=str(description))

    def on_stage_completed(self, contract, *, route, stage, actor) -> None:
        """R18: before any signing, fund members attached after submission approve too."""
        if stage.phase not in Phase.APPROVING or contract.fund_id is None:
            return
        later = route.stages.filter(round=route.round, status=StageStatus.WAITING)
        following = later.filter(order__gt=stage.order).order_by("order").first()
        if following is not None and following.phase in Phase.APPROVING:
            return
        missing = list(routing.fund_members_missing(contract))
        if not missing:
            return
        route_stage_insert(route, routing.fund_stage(contract, missing), after=stage)
        history_record(
            subject=contract,
            actor=None,
            action=HistoryAction.ASSIGNMENT,
            description=_(
                "Подписание ждёт сотрудников фонда «%(fund)s», прикреплённых после отправки: "
                "%(who)s"
            )
            % {"fund": contract.fund.name, "who": ", ".join(display_name(m) for m in missing)},
        )

    def on_round_returned(self, contract, *, route, step, actor) -> None:
        transition_apply(
            contract,
            "return_for_revision",
            actor=actor,
            description=_("Договор на доработке у инициатора: %(who)s")
            % {"who": display_name(contract.initiator)},
        )

    def on_route_completed(self, contract, *, route, actor) -> None:
        transition_apply(
            contract,
            "activate",
            actor=actor,
            description=_("Договор подписан и вступил в действие"),
        )
        self._tell_initiator(contract, actor)

    def on_route_rejected(self, contract, *, route, step, actor) -> None:
        transition_apply(
            contract, "reject", actor=actor, description=_("Договор отклонён"), comment=step.comment
        )
        self._tell_initiator(contract, actor)

    def on_withdrawn(self, contract, *, route, actor, reason) -> None:
        if contract.status == ContractStatus.RETURNED:
            transition_apply(
                contract,
                "give_up",
                actor=actor,
                comment=reason,
                description=_("Инициатор отказался от договора"),
            )
        else:
            transition_apply(
                contract,
                "withdraw",
                actor=actor,
                comment=reason,
                description=_("Инициатор отозвал договор с согласования"),
            )

    @staticmethod
    def _tell_initiator(contract: Contract, actor) -> None:
        if actor is not None and actor.pk == contract.initiator_id:
            return
        notification_send(
            recipient=contract.initiator,
            text=_("Договор «%(name)s»: %(state)s")
            % {"name": contract.name, "state": contract.get_status_display()},
            url=contract.get_absolute_url(),
        )
