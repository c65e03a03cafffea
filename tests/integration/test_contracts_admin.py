"""The contracts admin: the route preview, name templates validated on save (a hostile template
can never break contract creation), rules explained in Russian, typed extra fields in an inline
and on the contract form."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from contracts import services
from contracts.models import ApprovalRule, Contract, ContractField, ContractType
from contracts.testing import new_contract, theatre
from tests.factories import CounterpartyFactory
from workflow.services import display_name


@pytest.fixture
def t(org):
    return theatre(org)


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x-12345678"))
    return client


class _FormValues(HTMLParser):
    """What a browser would post from the page's main form: inputs, checked boxes, selected
    options, textareas (enough for the admin's change forms)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = self._textarea = None

    def _add(self, name, value) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self._add(name, a.get("value", "on"))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self._add(self._select, a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")

    def handle_data(self, data) -> None:
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _form_of(html: str) -> dict:
    parser = _FormValues()
    parser.feed(html)
    data = {k: v if len(v) > 1 else v[0] for k, v in parser.data.items()}
    data.pop("csrfmiddlewaretoken", None)
    return data


# --- route preview -------------------------------------------------------------------------------


def test_preview_shows_the_stages_and_people_the_builder_would_use(admin_client, t):
    """GIVEN the theatre's rules WHEN the admin previews an income contract on the commercial
    director's fund for 2 000 000 ₽ with the seller as initiator THEN the page lists the groups
    in order with their people, the signer, and «Участников: 6 из допустимых 15»."""
    changelist = admin_client.get(reverse("admin:contracts_approvalrule_changelist"))
    assert 'data-testid="route-preview-link"' in changelist.content.decode()
    page = admin_client.get(
        reverse("admin:contracts_approvalrule_preview"),
        {
            "contract_type": t["income"].pk,
            "fund": t["comfund"].pk,
            "subject_category": t["services"].pk,
            "amount": "2000000",
            "initiator": t["seller"].pk,
        },
    )
    html = page.content.decode()
    assert page.status_code == 200
    table = html.split('data-testid="route-preview"')[1]
    order = [
        "Согласование, группа 1",
        display_name(t["lawyer"]),
        "Согласование, группа 2",
        display_name(t["comdir"]),
        "Согласование, группа 3",
        display_name(t["com_a"]),
        "Согласование, группа 4",
        display_name(t["gendir"]),
        "Подписание договора",
    ]
    positions = [table.index(text) for text in order]
    assert positions == sorted(positions)
    assert "Участников: 6 из допустимых 15" in html


def test_preview_without_an_initiator_names_the_role_and_flags_an_over_cap_route(admin_client, t):
    """GIVEN no initiator chosen and a cap lowered to 3 WHEN previewing THEN the head rule shows
    as «руководитель инициатора» and the page says the route could not be sent."""
    from workflow.models import RouteSettings

    RouteSettings.objects.create(document_type="contracts.contract", participant_cap=3)
    page = admin_client.get(
        reverse("admin:contracts_approvalrule_preview"),
        {"contract_type": t["income"].pk, "amount": "100"},
    ).content.decode()
    assert "руководитель инициатора" in page
    assert "Участников: 3 из допустимых 3" in page  # the head, the lawyer, the signer
    assert "Больше допустимого" not in page
    RouteSettings.objects.filter().update(participant_cap=2)
    page = admin_client.get(
        reverse("admin:contracts_approvalrule_preview"),
        {"contract_type": t["income"].pk, "amount": "100"},
    ).content.decode()
    assert "Больше допустимого: такой договор не удастся отправить." in page


def test_preview_is_for_staff_only(client, t):
    """GIVEN an employee without admin access WHEN they open the preview THEN the admin login."""
    client.force_login(t["seller"])
    response = client.get(reverse("admin:contracts_approvalrule_preview"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_preview_with_a_bad_amount_says_so(admin_client, t):
    """GIVEN an amount that is not a number WHEN previewing THEN the field error, no table."""
    page = admin_client.get(
        reverse("admin:contracts_approvalrule_preview"),
        {"contract_type": t["income"].pk, "amount": "много"},
    ).content.decode()
    assert "Введите число." in page and 'data-testid="route-preview"' not in page


# --- name templates ------------------------------------------------------------------------------

HOSTILE_TEMPLATES = [
    ("{type} № {number", "Фигурные скобки не сбалансированы"),
    ("{type} }{", "Фигурные скобки не сбалансированы"),
    ("{type} {nomer}", "Неизвестная подстановка «{nomer}»"),
    ("{0} {}", "Неизвестная подстановка «{0}»"),
    ("{type.__class__.__mro__}", "Неизвестная подстановка"),
    ("{amount:d}", "записана с форматом"),
    ("{subject:>999999999}", "записана с форматом"),
    ("{counterparty!r}", "записана с форматом"),
]


@pytest.mark.parametrize(("template", "message"), HOSTILE_TEMPLATES)
def test_a_hostile_template_is_refused_in_the_admin_and_contracts_still_get_names(
    admin_client, t, template, message
):
    """GIVEN the expense type's change page WHEN the admin saves a malformed name template
    THEN the form says what is wrong in Russian and keeps the old template; creating a contract of
    that type afterwards works and numbers follow each other."""
    url = reverse("admin:contracts_contracttype_change", args=[t["expense"].pk])
    data = _form_of(admin_client.get(url).content.decode())
    data["name_template"] = template
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    t["expense"].refresh_from_db()
    assert t["expense"].name_template == ContractType._meta.get_field("name_template").default
    first = new_contract(t)
    second = new_contract(t)
    assert second.number == first.number + 1
    assert second.name.startswith(f"Расходный: закупка № {second.number} от ")


def test_a_good_template_is_saved_from_the_admin_and_used(admin_client, t):
    """GIVEN the change page WHEN a valid template with escaped braces is saved THEN contracts of
    the type are named by it; the type list shows an example name."""
    url = reverse("admin:contracts_contracttype_change", args=[t["expense"].pk])
    data = _form_of(admin_client.get(url).content.decode())
    data["name_template"] = "{{{type}}} {number}: {subject}"
    assert admin_client.post(url, data).status_code == 302
    t["expense"].refresh_from_db()
    contract = new_contract(t)
    assert contract.name == f"{{Расходный: закупка}} {contract.number}: Поставка прожекторов"
    listing = admin_client.get(reverse("admin:contracts_contracttype_changelist")).content
    assert "{Расходный: закупка} 125: Поставка прожекторов" in listing.decode()


# --- rules ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"approver_kind": "user", "approver_user": ""}, "Выберите сотрудника"),
        ({"approver_kind": "role", "approver_role": ""}, "Выберите роль"),
        ({"amount_min": "500", "amount_max": "100"}, "Верхняя граница суммы меньше нижней."),
    ],
)
def test_rule_errors_are_explained_in_russian(admin_client, t, change, message):
    """GIVEN the add form of a rule WHEN it breaks a constraint THEN a Russian message on the
    field, never the constraint's name, and nothing saved."""
    url = reverse("admin:contracts_approvalrule_add")
    page = admin_client.get(url).content.decode()
    assert "— любой —" in page and "Пусто — любой." in page
    data = {
        "name": "Проверка",
        "approver_kind": "department_head",
        "group": "1",
        "deadline_days": "2",
        "is_active": "on",
    }
    data.update(change)
    before = ApprovalRule.objects.count()
    response = admin_client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert "approval_rule_" not in body
    assert ApprovalRule.objects.count() == before


def test_rule_list_says_an_empty_condition_means_any(admin_client, t):
    """GIVEN the rule «Юрист» with no conditions THEN the list shows «любой тип · любой предмет ·
    любой фонд · любая сумма» in one column."""
    body = admin_client.get(reverse("admin:contracts_approvalrule_changelist")).content.decode()
    assert "любой тип · любой предмет · любой фонд · любая сумма" in body
    assert "Все сотрудники с ролью: Юрист" in body


# --- typed extra fields --------------------------------------------------------------------------


def _inline_field(data: dict, index: int, **values) -> None:
    for name, value in values.items():
        data[f"fields-{index}-{name}"] = value


def test_extra_fields_are_typed_in_an_inline_and_validated_on_the_contract_form(
    admin_client, client, t
):
    """GIVEN the admin adds four typed fields to the income type (a required number, a date, a
    choice, a text) and one choice field without options (refused in Russian)
    WHEN the seller fills the contract form with a word for the number THEN the form says so and
    keeps what she typed; WITH good values THEN the contract keeps them and the card shows them
    in Russian format."""
    url = reverse("admin:contracts_contracttype_change", args=[t["income"].pk])
    data = _form_of(admin_client.get(url).content.decode())
    data["fields-TOTAL_FORMS"] = "1"
    _inline_field(data, 0, label="Зал", kind="choice", order="0", choices="")
    refused = admin_client.post(url, data)
    assert "Укажите варианты выбора, по одному в строке." in refused.content.decode()
    data["fields-TOTAL_FORMS"] = "4"
    _inline_field(data, 0, label="Зал", kind="choice", order="0", choices="Большой\nМалый")
    _inline_field(data, 1, label="Зрителей", kind="number", order="1", required="on")
    _inline_field(data, 2, label="Дата показа", kind="date", order="2")
    _inline_field(data, 3, label="Спектакль", kind="text", order="3")
    assert admin_client.post(url, data).status_code == 302
    assert list(ContractField.objects.values_list("label", "kind", "required")) == [
        ("Зал", "choice", False),
        ("Зрителей", "number", True),
        ("Дата показа", "date", False),
        ("Спектакль", "text", False),
    ]
    fields = {f.label: f"extra_{f.pk}" for f in ContractField.objects.all()}
    client.force_login(t["seller"])
    create = reverse("contracts:contract-create")
    form = client.get(create, {"type": t["income"].pk}).content.decode()
    assert 'type="date"' in form and "Малый" in form
    post = {
        "contract_type": t["income"].pk,
        "subject": "Показ для школ",
        "counterparty": CounterpartyFactory().pk,
        "amount": "15000",
        fields["Зал"]: "Малый",
        fields["Зрителей"]: "сорок",
        fields["Дата показа"]: "2026-12-12",
        fields["Спектакль"]: "Вишнёвый сад",
    }
    bad = client.post(create, post)
    assert bad.status_code == 200
    assert "Введите число." in bad.content.decode() and "Показ для школ" in bad.content.decode()
    post[fields["Зрителей"]] = "1200"
    post[fields["Зал"]] = "Подвал"  # not offered
    assert "Выберите корректный вариант" in client.post(create, post).content.decode()
    post[fields["Зал"]] = "Малый"
    assert client.post(create, post).status_code == 302
    contract = Contract.objects.get(subject="Показ для школ")
    assert contract.extra == {
        "Зал": "Малый",
        "Зрителей": "1200",
        "Дата показа": "2026-12-12",
        "Спектакль": "Вишнёвый сад",
    }
    card = client.get(contract.get_absolute_url()).content.decode()
    assert "12.12.2026" in card and "1\xa0200" in card


def test_editing_a_contract_keeps_values_of_removed_fields(t):
    """GIVEN a contract with a value for a field the admin later removed WHEN it is edited
    THEN the old value stays (nothing the initiator typed is lost)."""
    from contracts.forms import ContractForm

    field = ContractField.objects.create(contract_type=t["income"], label="Спектакль")
    contract = new_contract(
        t, contract_type=t["income"], extra={"Спектакль": "Чайка", "Старое поле": "42"}
    )
    field.delete()
    form = ContractForm(
        {
            "subject": "Новый предмет",
            "counterparty": contract.counterparty.pk,
            "amount": "10",
        },
        instance=contract,
        contract_type=t["income"],
    )
    assert form.is_valid(), form.errors
    services.contract_update(contract_id=contract.pk, user=t["seller"], data=form.contract_data())
    contract = Contract.objects.get(pk=contract.pk)
    assert contract.extra["Старое поле"] == "42" and contract.amount == Decimal("10")
