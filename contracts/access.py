"""The rows contracts put in the access table: the initiator, the contract's department (its
heads see it) and the approval participants. Task rows come from the engine."""

from __future__ import annotations

from contracts.models import Contract
from workflow.access import departments_of, register_access_source, user_rows
from workflow.models import AccessReason


def contract_rows(ids: list[int] | None):
    contracts = Contract.objects.all() if ids is None else Contract.objects.filter(pk__in=ids)
    through = Contract.participants.through
    links = through.objects.all() if ids is None else through.objects.filter(contract_id__in=ids)
    participants = list(links.values_list("contract_id", "user_id").iterator(chunk_size=10000))
    departments = departments_of({user for _contract, user in participants})
    for pk, initiator, department in contracts.values_list(
        "pk", "initiator_id", "department_id"
    ).iterator(chunk_size=10000):
        yield (pk, initiator, None, AccessReason.INITIATOR)
        if department:
            yield (pk, None, department, AccessReason.DEPARTMENT)
    for pk, user in participants:
        yield from user_rows(pk, [user], AccessReason.PARTICIPANT, departments)


def register() -> None:
    register_access_source(Contract, contract_rows)
