"""Creating and editing contracts: fields, comments, files. One transaction each, the contract row
locked first."""

from __future__ import annotations

import rules
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from contracts.models import (
    Contract,
    ContractComment,
    ContractFile,
)
from contracts.services.naming import contract_name
from workflow.access import access_refresh
from workflow.models import Employee, HistoryAction
from workflow.services import (
    display_name,
    history_record,
    notification_send,
)

CONTRACT_FIELDS = (
    "contract_type",
    "subject_category",
    "subject",
    "counterparty",
    "amount",
    "fund",
    "starts_on",
    "ends_on",
    "extra",
)


# --- helpers -------------------------------------------------------------------------------------


def _locked(contract_id: int) -> Contract:
    return (
        Contract.objects.select_for_update(of=("self",))
        .select_related("contract_type", "counterparty", "fund", "initiator")
        .get(pk=contract_id)
    )


def _department_of(user):
    return Employee.objects.filter(user=user).values_list("department_id", flat=True).first()


# --- create / edit -------------------------------------------------------------------------------


def contract_create(*, initiator, data: dict) -> Contract:
    if not rules.has_perm("contracts.add_contract", initiator):
        raise PermissionDenied(_("Создавать договоры могут только сотрудники."))
    with transaction.atomic():
        contract = Contract(initiator=initiator, department_id=_department_of(initiator))
        for field in CONTRACT_FIELDS:
            if field in data:
                setattr(contract, field, data[field])
        contract.save()
        contract.number = contract.pk
        contract.name = contract_name(contract)
        contract.save(update_fields=["number", "name"])
        access_refresh(contract)
        history_record(
            subject=contract,
            actor=initiator,
            action=HistoryAction.CREATED,
            description=_("Договор создан: %(name)s") % {"name": contract.name},
            to_state=contract.status,
        )
    return contract


def contract_update(*, contract_id: int, user, data: dict) -> Contract:
    with transaction.atomic():
        contract = _locked(contract_id)
        if not rules.has_perm("contracts.change_contract", user, contract):
            raise PermissionDenied(_("Изменять договор может инициатор, пока он не отправлен."))
        changed = []
        for field in CONTRACT_FIELDS:
            if field in data and getattr(contract, field) != data[field]:
                setattr(contract, field, data[field])
                changed.append(str(Contract._meta.get_field(field).verbose_name))
        contract.name = contract_name(contract)
        contract.save()
        if changed:
            history_record(
                subject=contract,
                actor=user,
                action=HistoryAction.DECISION,
                description=_("Изменены поля: %(fields)s") % {"fields": ", ".join(changed)},
            )
    return contract


def comment_add(*, contract_id: int, user, text: str) -> ContractComment:
    with transaction.atomic():
        contract = _locked(contract_id)
        if not rules.has_perm("contracts.view_contract", user, contract):
            raise PermissionDenied(_("Нет доступа к договору."))
        comment = ContractComment.objects.create(contract=contract, author=user, text=text)
        history_record(
            subject=contract,
            actor=user,
            action=HistoryAction.COMMENT,
            description=_("Комментарий: %(who)s") % {"who": display_name(user)},
            comment=text,
        )
        if contract.initiator_id != user.pk:
            notification_send(
                recipient=contract.initiator,
                text=_("Комментарий к договору «%(name)s»") % {"name": contract.name},
                url=contract.get_absolute_url(),
                email=False,
            )
    return comment


def contract_files_add(*, contract_id: int, user, uploads) -> list[ContractFile]:
    """Attach files: the initiator and the participants may (everyone who sees it but heads)."""
    from storage.services import duplicates_refuse, stored_files_create

    uploads = list(uploads)
    with transaction.atomic():
        contract = _locked(contract_id)
        if not rules.has_perm("contracts.attach_file", user, contract):
            raise PermissionDenied(_("Прикладывать файлы могут инициатор и участники."))
        stored = stored_files_create(uploads=uploads, uploaded_by=user)
        # under the contract's lock: the same content is never attached twice
        duplicates_refuse(
            files=stored,
            existing=[
                link.stored_file
                for link in ContractFile.objects.filter(contract=contract).select_related(
                    "stored_file"
                )
            ],
        )
        links = [
            ContractFile.objects.create(contract=contract, stored_file=f, added_by=user)
            for f in stored
        ]
        if links:
            history_record(
                subject=contract,
                actor=user,
                action=HistoryAction.COMMENT,
                description=_("Приложены файлы: %(names)s")
                % {"names": ", ".join(f.original_name for f in stored)},
            )
    return links
