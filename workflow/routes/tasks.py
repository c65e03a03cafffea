"""The engine's own task kinds: a step's decision (approve, sign, review, execute) and the
author's revision after a return. Document types may give a step a task kind of their own (its
service then calls ``step_decide``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from workflow.models import Task
from workflow.models.routes import NEEDS_COMMENT, Decision, Route, RouteStep
from workflow.routes.registry import document_type
from workflow.routes.services import (
    REVISE_TASK_KIND,
    STEP_TASK_KINDS,
    allowed_decisions,
    step_decide,
)

DECISION_VERBS = {
    Decision.APPROVE: _("Согласовать"),
    Decision.SIGN: _("Подписать"),
    Decision.REVIEW: _("Рассмотрено"),
    Decision.OBJECT: _("Есть возражения"),
    Decision.DONE: _("Исполнено"),
    Decision.ACKNOWLEDGE: _("Ознакомлен(а)"),
    Decision.RETURN: _("Вернуть на доработку"),
    Decision.REJECT: _("Отклонить"),
}


class StepDecisionForm(forms.Form):
    takes_task = True

    decision = forms.ChoiceField(label=_("Решение"), widget=forms.RadioSelect)
    comment = forms.CharField(
        label=_("Комментарий"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Обязателен, если возвращаете, отклоняете или возражаете."),
    )

    def __init__(self, *args, task=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        step = (
            RouteStep.objects.select_related("stage", "route").filter(task=task).first()
            if task is not None
            else None
        )
        decisions = allowed_decisions(step) if step is not None else []
        self.fields["decision"].choices = [(d, DECISION_VERBS[Decision(d)]) for d in decisions]
        if len(decisions) == 1:
            self.fields["decision"].initial = decisions[0]

    def clean(self):
        data = super().clean()
        if data.get("decision") in NEEDS_COMMENT and not (data.get("comment") or "").strip():
            self.add_error(
                "comment", gettext("Напишите комментарий: что не так и что нужно исправить.")
            )
        return data


class RevisionForm(forms.Form):
    note = forms.CharField(
        label=_("Что исправлено"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Увидят согласующие следующего круга."),
    )


def step_task_complete(*, task_id: int, user, data: dict):
    return step_decide(
        task_id=task_id, user=user, decision=data["decision"], comment=data.get("comment", "")
    )


def step_success_message(task, data: dict) -> str:
    return gettext("Решение «%(decision)s» сохранено.") % {
        "decision": Decision(data["decision"]).label
    }


def revision_task_complete(*, task_id: int, user, data: dict):
    """«Отправить повторно» from the revision task: the document type's own submit service
    (it checks the document and starts the next round, closing this task)."""
    task = Task.objects.get(pk=task_id)
    route = Route.objects.get(content_type_id=task.content_type_id, object_id=task.object_id)
    doc_type = document_type(route.document_type)
    return doc_type.resubmit(document_id=task.object_id, user=user, note=data["note"])


def revision_edit_url(task) -> str:
    """The document's edit page for the author's revision task."""
    route = Route.objects.filter(
        content_type_id=task.content_type_id, object_id=task.object_id
    ).first()
    if route is None or task.subject is None:
        return ""
    doc_type = document_type(route.document_type)
    return doc_type.edit_url(task.subject) if doc_type.edit_url else ""


def register() -> None:
    from workflow import registry

    labels = {
        "approve": (_("Согласование"), _("Отправить решение")),
        "sign": (_("Подписание"), _("Отправить решение")),
        "review": (_("Рассмотрение"), _("Отправить решение")),
        "execute": (_("Исполнение"), _("Отправить отчёт")),
        "acknowledge": (_("Ознакомление"), _("Ознакомлен(а)")),
    }
    for kind, code in STEP_TASK_KINDS.items():
        label, submit = labels[kind]
        registry.register_task_kind(
            registry.TaskKind(
                code=code,
                label=label,
                form_class=StepDecisionForm,
                complete=step_task_complete,
                submit_label=submit,
                success_message=step_success_message,
            )
        )
    registry.register_task_kind(
        registry.TaskKind(
            code=REVISE_TASK_KIND,
            label=_("Доработка документа"),
            form_class=RevisionForm,
            complete=revision_task_complete,
            submit_label=_("Отправить повторно"),
            success_message=lambda task, data: gettext("Документ отправлен повторно."),
            edit_url=revision_edit_url,
        )
    )
