import pytest

from tests.factories import DepartmentFactory, LegalEntityFactory, employee


@pytest.fixture
def org(db):
    """A small organisation: general director over two departments.

    Дирекция (head: gendir)
      ├─ Продажи (head: sales_head): seller, seller2
      └─ Юридический отдел (head: lawyer)
    """
    entity = LegalEntityFactory(code="БЦ", name="ООО «Арго Офис»", short_name="ООО «Арго Офис»")
    board = DepartmentFactory(legal_entity=entity, name="Дирекция")
    sales = DepartmentFactory(legal_entity=entity, name="Продажи", parent=board)
    legal = DepartmentFactory(legal_entity=entity, name="Юридический отдел", parent=board)
    people = {
        "gendir": employee("gendir", head_of=board, roles=["general_director"]),
        "sales_head": employee("sales_head", head_of=sales),
        "seller": employee("seller", sales, roles=["manager"]),
        "seller2": employee("seller2", sales, roles=["manager"]),
        "lawyer": employee("lawyer", head_of=legal, roles=["lawyer"]),
        "office": employee("office", board, roles=["registrar"]),
    }
    people["departments"] = {"board": board, "sales": sales, "legal": legal}
    return people
