"""Route previews in the admin: whom a letter would go to, without registering or writing one.
Outgoing: the approval chain for an author (or a department), a legal entity and a counterparty
category. Incoming: the stages of the category's route rule and who takes each step today."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.contrib.auth import get_user_model
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from correspondence.models import IncomingLetter, StepRole
from correspondence.services.incoming import route as incoming_route
from correspondence.services.outgoing.approval import approval_plan_of
from crm.models import CounterpartyCategory
from workflow.forms import EmployeeChoiceField, active_employees
from workflow.models import Department, LegalEntity

User = get_user_model()


class OutgoingPreviewForm(forms.Form):
    legal_entity = forms.ModelChoiceField(
        label=gettext_lazy("Юрлицо-отправитель"), queryset=LegalEntity.objects.all()
    )
    category = forms.ChoiceField(
        label=gettext_lazy("Категория получателя"), choices=CounterpartyCategory.choices
    )
    author = EmployeeChoiceField(
        label=gettext_lazy("Автор"), queryset=User.objects.none(), required=False
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("или подразделение автора"),
        queryset=Department.objects.select_related("legal_entity"),
        required=False,
        help_text=gettext_lazy("Если автор не выбран: письмо сотрудника этого подразделения."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["author"].queryset = active_employees()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("author") and not cleaned.get("department"):
            raise forms.ValidationError(_("Выберите автора или подразделение."))
        return cleaned


class IncomingPreviewForm(forms.Form):
    legal_entity = forms.ModelChoiceField(
        label=gettext_lazy("Юрлицо-адресат"), queryset=LegalEntity.objects.all()
    )
    category = forms.ChoiceField(
        label=gettext_lazy("Категория отправителя"), choices=CounterpartyCategory.choices
    )
    department = forms.ModelChoiceField(
        label=gettext_lazy("Подразделение-адресат"),
        queryset=Department.objects.select_related("legal_entity"),
        required=False,
    )
    responsible = EmployeeChoiceField(
        label=gettext_lazy("Ответственный исполнитель"),
        queryset=User.objects.none(),
        required=False,
        help_text=gettext_lazy("Если не указан, исполнителя назначит руководитель."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = active_employees()

    def clean(self):
        cleaned = super().clean()
        department, entity = cleaned.get("department"), cleaned.get("legal_entity")
        if department and entity and department.legal_entity_id != entity.pk:
            self.add_error("department", _("Подразделение относится к другому юрлицу."))
        return cleaned


@dataclass
class PreviewStep:
    role: str
    person: object | None
    does: str
    informational: bool = False


@dataclass
class PreviewStage:
    name: str
    steps: list[PreviewStep] = field(default_factory=list)


def outgoing_stages(data: dict) -> list[PreviewStage]:
    author = data.get("author")
    plan = approval_plan_of(
        legal_entity=data["legal_entity"],
        category=data["category"],
        author=author,
        executor=author,
        department=None if author else data.get("department"),
    )
    return [
        PreviewStage(
            name=stage.name,
            steps=[
                PreviewStep(role="", person=s.participant, does=_("согласует")) for s in stage.steps
            ],
        )
        for stage in plan
    ]


def incoming_stages(data: dict) -> tuple[object, list[PreviewStage]]:
    """The rule of the category and its stages, each role resolved as if a letter were registered
    now (an unsaved letter carries the inputs)."""
    rule = incoming_route.rule_for(data["category"])
    letter = IncomingLetter(
        legal_entity=data["legal_entity"],
        addressee_department=data.get("department"),
        responsible=data.get("responsible"),
        control_date=timezone.localdate(),
        reminder_working_days=rule.reminder_working_days if rule else 1,
    )
    stages = []
    for stage in incoming_route.incoming_plan(letter, rule):
        shown = PreviewStage(name=stage.name)
        for step in stage.steps:
            role = str(StepRole(step.role).label)
            if step.role == StepRole.RESPONSIBLE and not letter.responsible_id:
                person, does = incoming_route.assigner(letter), _("назначит исполнителя")
            else:
                person = incoming_route.role_person(letter, step.role)
                does = {
                    incoming_route.KIND_RESOLUTION: _("даёт резолюцию"),
                    incoming_route.KIND_EXECUTE: _("исполняет"),
                }.get(step.task_kind, _("рассматривает"))
            shown.steps.append(
                PreviewStep(role=role, person=person, does=does, informational=not step.blocking)
            )
        stages.append(shown)
    return rule, stages


def preview_view(model_admin, request, *, title: str, form_class, build):
    form = form_class(request.GET or None)
    stages, rule = None, None
    if form.is_bound and form.is_valid():
        result = build(form.cleaned_data)
        rule, stages = result if isinstance(result, tuple) else (None, result)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        "form": form,
        "stages": stages,
        "rule": rule,
        "nobody": _("никого нет — шаг будет пропущен"),
    }
    return TemplateResponse(request, "admin/correspondence/route_preview.html", context)
