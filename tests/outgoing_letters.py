"""Outgoing letters in tests: a draft with a file, its open tasks, approving, the letters that
really left by email, the approval settings. Shared by the outgoing flow test modules."""

from django.core import mail

from correspondence.models import OutgoingApprovalSettings, OutgoingLetter
from correspondence.services import outgoing as services
from correspondence.testing import control_in, stored_pdf
from workflow.models import TaskStatus
from workflow.routes.services import STEP_TASK_KINDS
from workflow.routes.tasks import step_task_complete
from workflow.selectors import tasks_of

KIND_APPROVE = STEP_TASK_KINDS["approve"]


def _draft(world, *, author=None, counterparty=None, control_date="default", files=True):
    author = author or world["seller"]
    return services.outgoing_create(
        user=author,
        legal_entity=world["entity"],
        counterparty=counterparty or world["tenant"],
        subject="О продлении договора аренды",
        text="Просим продлить договор аренды на 11 месяцев.",
        executor=author,
        control_date=control_in(10) if control_date == "default" else control_date,
        files=[stored_pdf(author, "pismo.pdf")] if files else [],
    )


def _open_task(letter, kind):
    return tasks_of(letter).get(kind=kind, status=TaskStatus.OPEN)


def _reload(letter):
    return OutgoingLetter.objects.get(pk=letter.pk)


def _approve(letter, user, comment=""):
    task = _open_task(letter, KIND_APPROVE)
    return step_task_complete(
        task_id=task.pk, user=user, data={"decision": "approve", "comment": comment}
    )


def _letters_sent():
    """Messages carrying a letter (notification emails to employees are left out)."""
    return [m for m in mail.outbox if m.attachments or "argo.example" not in m.to[0]]


def _settings(world, **fields):
    OutgoingApprovalSettings.objects.update_or_create(legal_entity=world["entity"], defaults=fields)
