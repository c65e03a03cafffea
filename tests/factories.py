import factory
from django.contrib.auth import get_user_model

from crm.models import Counterparty, CounterpartyCategory
from workflow.models import Absence, AbsenceKind, Department, Employee, LegalEntity

User = get_user_model()


class LegalEntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalEntity
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"ООО «Юрлицо {n}»")
    short_name = factory.LazyAttribute(lambda o: o.name)
    code = factory.Sequence(lambda n: f"Ю{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="ru_RU")
    last_name = factory.Faker("last_name", locale="ru_RU")
    email = factory.LazyAttribute(lambda o: f"{o.username}@argo.example")
    password = factory.django.Password("secret-pass-123")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    legal_entity = factory.SubFactory(LegalEntityFactory)
    name = factory.Sequence(lambda n: f"Отдел {n}")
    head = None
    parent = None


class EmployeeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employee

    user = factory.SubFactory(UserFactory)
    department = factory.SubFactory(DepartmentFactory)
    position = "Специалист"
    roles = factory.LazyFunction(list)


def employee(username: str, department=None, *, roles=(), head_of=None, **user_fields):
    """A user with an employee profile; ``head_of`` makes them head of that department."""
    user = UserFactory(username=username, **user_fields)
    EmployeeFactory(user=user, department=department or head_of, roles=list(roles))
    if head_of is not None:
        head_of.head = user
        head_of.save(update_fields=["head"])
    return user


class AbsenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Absence

    employee = factory.SubFactory(UserFactory)
    kind = AbsenceKind.VACATION


class CounterpartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Counterparty

    name = factory.Sequence(lambda n: f"ООО «Контрагент {n}»")
    category = CounterpartyCategory.TENANT


def small_org() -> dict:
    """A small organisation used by tests and benchmarks: general director over two departments.

    Дирекция (head: gendir; office manager «office»)
      ├─ Продажи (head: sales_head): seller, seller2
      └─ Юридический отдел (head: lawyer)
    """
    entity = LegalEntityFactory(code="БЦ", name="ООО «Арго Офис»", short_name="ООО «Арго Офис»")
    board = DepartmentFactory(legal_entity=entity, name="Дирекция")
    sales = DepartmentFactory(legal_entity=entity, name="Продажи", parent=board)
    legal = DepartmentFactory(legal_entity=entity, name="Юридический отдел", parent=board)
    return {
        "gendir": employee("gendir", head_of=board, roles=["general_director"]),
        "sales_head": employee("sales_head", head_of=sales),
        "seller": employee("seller", sales, roles=["manager"]),
        "seller2": employee("seller2", sales, roles=["manager"]),
        "lawyer": employee("lawyer", head_of=legal, roles=["lawyer"]),
        "office": employee("office", board, roles=["registrar"]),
        "departments": {"board": board, "sales": sales, "legal": legal},
    }
