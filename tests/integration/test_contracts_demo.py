"""The theatre demo data loads, is idempotent and shows every stage of the process."""

from argo_docs.demo import load_demo
from contracts.models import Contract, ContractStatus, ContractType, Fund


def test_demo_loads_twice_with_contracts_at_different_stages(db):
    """GIVEN an empty database WHEN the demo is loaded twice
    THEN both contract kinds, two funds and four contracts in distinct states exist once."""
    load_demo()
    load_demo()
    assert set(ContractType.objects.values_list("direction", flat=True)) == {"income", "expense"}
    assert Fund.objects.count() == 2
    commercial = Fund.objects.get(name="Фонд коммерческого директора")
    assert commercial.owner.username == "comdir" and commercial.members.count() == 2
    states = sorted(Contract.objects.values_list("status", flat=True))
    assert states == sorted(
        [
            ContractStatus.APPROVAL,
            ContractStatus.RETURNED,
            ContractStatus.ACTIVE,
            ContractStatus.DRAFT,
        ]
    )
