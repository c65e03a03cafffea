"""The memo's route on the shared engine: the builder (the author's heads up to the addressee,
then the addressee's decision) and the hooks that move the memo's state. The decision itself
adds the execution and acknowledgement stages (``services.memo_decide``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from memos.models import MemoStatus
from workflow.models import StepKind
from workflow.routes.plan import StagePlan, StepPlan
from workflow.routes.registry import RouteHooks
from workflow.selectors import heads_above
from workflow.services import display_name, notification_send
from workflow.transitions import transition_apply

DOC_TYPE, KIND_DECIDE = "memos.memo", "memos.decide"
APPROVAL, DECISION, EXECUTION, ACKNOWLEDGEMENT = "approval", "decision", "execution", "ack"
APPROVE_DAYS, DECIDE_DAYS, ACK_DAYS = 2, 3, 3
TITLES = {
    APPROVAL: gettext_lazy("Согласовать служебную записку %(number)s: %(subject)s"),
    DECISION: gettext_lazy("Рассмотреть служебную записку %(number)s: %(subject)s"),
    EXECUTION: gettext_lazy("Исполнить резолюцию по служебной записке %(number)s: %(subject)s"),
    ACKNOWLEDGEMENT: gettext_lazy("Ознакомиться со служебной запиской %(number)s: %(subject)s"),
}


def describe(memo) -> str:
    return _("служебная записка %(number)s «%(subject)s»") % vars(memo)


def chain_to(author, addressee) -> list:
    """The author's heads, nearest first, up to the addressee (not included). For an addressee
    outside the author's line: the author's heads below the first head both lines share."""
    heads = heads_above(author)
    ids = [head.pk for head in heads]
    if addressee.pk in ids:
        return heads[: ids.index(addressee.pk)]
    shared = {head.pk for head in heads_above(addressee)}
    cut = next((i for i, pk in enumerate(ids) if pk in shared), len(ids))
    return heads[:cut]


def plan_for(memo) -> list[StagePlan]:
    """One stage per head (each may return the memo), then the addressee's decision: approve
    with a resolution, return, or decline."""
    plan = []
    for head in chain_to(memo.author, memo.addressee):
        position = getattr(getattr(head, "employee", None), "position", "")
        step = StepPlan(StepKind.APPROVE, head, deadline_days=APPROVE_DAYS)
        name = _("Согласование: %(who)s") % {"who": position or display_name(head)}
        plan.append(StagePlan(name, [step], phase=APPROVAL))
    step = StepPlan(
        StepKind.APPROVE, memo.addressee, task_kind=KIND_DECIDE, deadline_days=DECIDE_DAYS
    )
    return [*plan, StagePlan(_("Решение адресата"), [step], phase=DECISION, allow_reject=True)]


class MemoHooks(RouteHooks):
    def task_title(self, memo, *, step) -> str:
        return TITLES.get(step.stage.phase, TITLES[APPROVAL]) % vars(memo)

    def task_description(self, memo, *, step) -> str:
        text = _("От: %(author)s. Кому: %(to)s.") % {
            "author": display_name(memo.author),
            "to": display_name(memo.addressee),
        }
        resolution = _("Резолюция: %(text)s") % {"text": memo.resolution}
        return "\n\n".join([text, memo.text[:2000]] + ([resolution] if memo.resolution else []))

    def on_round_started(self, memo, *, route, round, actor) -> None:
        first = route.stages.filter(round=round.number).order_by("order").first()
        text = _("Зарегистрирована и отправлена: № %(number)s") % vars(memo)
        if round.number > 1:
            text = _("Отправлена повторно, круг %(round)s") % {"round": round.number}
        to_addressee = first.phase == DECISION
        transition_apply(
            memo,
            "submit",
            actor=actor,
            comment=round.note,
            description=text,
            to_addressee=to_addressee,
        )

    def decision_text(self, memo, *, step, decision) -> str:
        if step.task_kind != KIND_DECIDE:
            return ""
        words = {
            "approve": _("Утверждена адресатом: %(who)s"),
            "reject": _("Отклонена адресатом: %(who)s"),
            "return": _("Адресат вернул на доработку: %(who)s"),
        }
        return words[decision] % {"who": display_name(step.decided_by)} if decision in words else ""

    def on_stage_started(self, memo, *, route, stage, actor) -> None:
        if stage.phase == DECISION and memo.status == MemoStatus.APPROVAL:
            transition_apply(memo, "forward", actor=actor)

    def on_stage_completed(self, memo, *, route, stage, actor) -> None:
        if stage.phase == DECISION:
            later = {
                s.phase: s for s in route.stages.filter(round=route.round, order__gt=stage.order)
            }
            text = _("Утверждена. Исполнители: %(do)s. Ознакомить: %(read)s") % {
                "do": _names(later.get(EXECUTION)),
                "read": _names(later.get(ACKNOWLEDGEMENT)),
            }
            resolution = stage.steps.get(task_kind=KIND_DECIDE).comment
            execution = EXECUTION in later
            transition_apply(
                memo,
                "approve",
                actor=actor,
                description=text,
                resolution=resolution,
                execution=execution,
            )
            _tell_author(memo, _("Служебная записка %(number)s утверждена"))
        elif stage.phase == EXECUTION:
            transition_apply(memo, "execute", actor=actor)
            _tell_author(memo, _("Служебная записка %(number)s исполнена"))

    def on_round_returned(self, memo, *, route, step, actor) -> None:
        transition_apply(memo, "return_for_revision", actor=actor)

    def on_route_rejected(self, memo, *, route, step, actor) -> None:
        transition_apply(memo, "decline", actor=actor, reason=step.comment)
        _tell_author(memo, _("Служебная записка %(number)s отклонена"))

    def on_withdrawn(self, memo, *, route, actor, reason) -> None:
        transition_apply(memo, "withdraw", actor=actor, comment=reason)


def _names(stage) -> str:
    steps = stage.steps.select_related("participant") if stage else []
    return ", ".join(display_name(step.participant) for step in steps) or "—"


def _tell_author(memo, text: str) -> None:
    notification_send(recipient=memo.author, text=text % vars(memo), url=memo.get_absolute_url())
