"""Import: every card field can come from a column; «Обновлять существующие» shows the changes
per field before anything is written, and writes them on confirmation."""

import pytest

from crm.models import (
    ContactPerson,
    Counterparty,
    CounterpartyCategory,
    ImportState,
    Industry,
    ProcessingStatus,
)
from tests.integration.test_crm_import import configure, confirm, csv_bytes, upload
from workflow.models import HistoryEntry


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _import(client, header, rows, mapping, **options):
    company_import = configure(
        client, upload(client, "f.csv", csv_bytes([header, *rows])), mapping, **options
    )
    assert company_import.state == ImportState.PREVIEW, company_import.failure
    return confirm(client, company_import)


@pytest.mark.parametrize(
    ("column", "cell", "field", "expected"),
    [
        ("Сфера деятельности", "торговля", "industry", "Торговля"),
        ("Категория", "Госорган", "category", CounterpartyCategory.GOVERNMENT),
        ("Категория", "Арендатор", "category", CounterpartyCategory.TENANT),
        ("Статус", "в обработке", "status", ProcessingStatus.IN_PROGRESS),
        ("Менеджер", "Продавцова Мария", "responsible", "seller"),
        ("Менеджер", "Мария Продавцова", "responsible", "seller"),
        ("Менеджер", "продавцова", "responsible", "seller"),
        ("Менеджер", "seller", "responsible", "seller"),
        ("Телефон", "8 (812) 555-01-02", "phone", "8 (812) 555-01-02"),
        ("Почта", "Sales@Example.ru", "email", "Sales@Example.ru"),
        ("Адрес", "Санкт-Петербург, Невский пр., 1", "address", "Санкт-Петербург, Невский пр., 1"),
        ("Примечание", "Звонить после обеда", "comment", "Звонить после обеда"),
        ("Контактное лицо", "Лебедева Наталья", "contact_person", "Лебедева Наталья"),
        ("КПП", "780101001", "kpp", "780101001"),
    ],
)
def test_each_field_maps_from_a_column(org, client, column, cell, field, expected):
    """GIVEN a file with a name column and one more column WHEN that column is mapped to a card
    field THEN every imported company carries the resolved value (industries and managers by
    name, categories and statuses by their Russian names)."""
    org["seller"].last_name, org["seller"].first_name = "Продавцова", "Мария"
    org["seller"].save()
    Industry.objects.create(name="Торговля")
    client.force_login(org["seller"])
    company_import = _import(
        client, ["Наименование", column], [["ООО «Альфа»", cell]], {"name": 0, field: 1}
    )
    assert company_import.created_count == 1, company_import.errors
    company = Counterparty.objects.get(name="ООО «Альфа»")
    if field == "industry":
        assert company.industry.name == expected
    elif field == "responsible":
        assert company.responsible.username == expected
    elif field == "contact_person":
        assert company.contacts.get().name == expected
    else:
        assert getattr(company, field) == expected


def test_unknown_industry_is_an_error_unless_new_ones_may_be_created(org, client):
    """GIVEN 501 «Торговля» rows once came in as ЖКХ WHEN the industry column names an unknown
    industry THEN without the tick the rows are reported; with «создавать новые сферы» the
    industry is created once and every row gets it."""
    Industry.objects.create(name="ЖКХ")
    header = ["Компания", "Сфера"]
    rows = [[f"ООО «Магазин {i}»", "Торговля"] for i in range(3)]
    client.force_login(org["seller"])
    company_import = _import(client, header, rows, {"name": 0, "industry": 1})
    assert company_import.created_count == 0
    assert {e["reason"] for e in company_import.errors} == {
        "неизвестная сфера деятельности «Торговля» (отметьте «создавать новые сферы»)"
    }
    company_import = _import(
        client, header, rows, {"name": 0, "industry": 1}, create_industries="on"
    )
    assert company_import.preview["new_industries"] == ["Торговля"]
    assert company_import.created_count == 3
    trade = Industry.objects.get(name="Торговля")
    assert Counterparty.objects.filter(industry=trade).count() == 3


def test_unknown_or_ambiguous_manager_and_bad_category_are_row_errors(org, client):
    """GIVEN two managers with the same surname WHEN a row names only that surname, or an
    unknown person, or a category that does not exist THEN those rows are reported with the
    reason; the row with a full name imports."""
    for user, first in ((org["seller"], "Анна"), (org["seller2"], "Борис")):
        user.last_name, user.first_name = "Смирнов", first
        user.save()
    header = ["Компания", "Менеджер", "Категория"]
    rows = [
        ["ООО «Один»", "Смирнов", ""],
        ["ООО «Два»", "Кузнецов", ""],
        ["ООО «Три»", "Смирнов Борис", "Марсиане"],
        ["ООО «Четыре»", "Смирнов Борис", "клиент"],
    ]
    client.force_login(org["seller"])
    company_import = _import(client, header, rows, {"name": 0, "responsible": 1, "category": 2})
    reasons = {e["row"]: e["reason"] for e in company_import.errors}
    assert "несколько сотрудников" in reasons[2]
    assert "не найден" in reasons[3]
    assert reasons[4] == "неизвестная категория «Марсиане»"
    assert Counterparty.objects.get().responsible == org["seller2"]


def test_update_mode_previews_changes_per_field_and_applies_them_on_confirmation(org, client):
    """GIVEN companies in the base WHEN a file comes in «Обновлять существующие» mode, matched
    by INN and, without INN, by the normalised name THEN the preview lists each changed field
    with the old and new value, nothing is written before the confirmation; after it, the
    fields change, empty cells erase nothing, the status stays, a new contact is added, each
    changed company gets a history row and the unchanged one none."""
    trade = Industry.objects.create(name="Торговля")
    by_inn = Counterparty.objects.create(
        name="ООО «Альфа»",
        inn="7801000001",
        phone="+7 812 000-00-01",
        address="Старый адрес",
        category=CounterpartyCategory.CLIENT,
        status=ProcessingStatus.IN_PROGRESS,
    )
    by_name = Counterparty.objects.create(name="ТСЖ «Ёлочка»", phone="111")
    same = Counterparty.objects.create(name="ООО «Гамма»", inn="7801000003", phone="222")
    header = ["Наименование", "ИНН", "Телефон", "Адрес", "Сфера", "Статус", "Контакт"]
    rows = [
        ["ООО «Альфа»", "7801000001", "+7 812 999-99-99", "", "Торговля", "Отказ", "Иванов Иван"],
        ['тсж "елочка"', "", "111", "Новый адрес", "", "", ""],
        ["ООО «Гамма»", "7801000003", "222", "", "", "", ""],
        ["ООО «Новая»", "7801000004", "333", "", "", "", ""],
    ]
    mapping = {
        "name": 0,
        "inn": 1,
        "phone": 2,
        "address": 3,
        "industry": 4,
        "status": 5,
        "contact_person": 6,
    }
    client.force_login(org["seller"])
    company_import = configure(
        client, upload(client, "upd.csv", csv_bytes([header, *rows])), mapping, mode="update"
    )
    preview = company_import.preview
    assert (preview["create"], preview["update"], preview["unchanged"]) == (1, 2, 1)
    changes = {
        c["name"]: {f["field"]: (f["old"], f["new"]) for f in c["fields"]}
        for c in preview["changes"]
    }
    assert changes["ООО «Альфа»"] == {
        "Телефон": ("+7 812 000-00-01", "+7 812 999-99-99"),
        "Сфера деятельности": ("—", "Торговля"),
        "Контактное лицо": ("", "Иванов Иван"),
    }
    assert changes["ТСЖ «Ёлочка»"] == {"Адрес": ("—", "Новый адрес")}
    fields = {f["field"]: f["count"] for f in preview["fields"]}
    assert fields == {"Сфера деятельности": 1, "Контактное лицо": 1, "Телефон": 1, "Адрес": 1}
    page = client.get(f"/crm/import/{company_import.pk}/").content.decode()
    assert "+7 812 999-99-99" in page and "Изменится существующих" in page
    by_inn.refresh_from_db()
    assert by_inn.phone == "+7 812 000-00-01"  # not before the confirmation

    company_import = confirm(client, company_import)
    assert (company_import.created_count, company_import.updated_count) == (1, 2)
    by_inn.refresh_from_db()
    by_name.refresh_from_db()
    assert by_inn.phone == "+7 812 999-99-99"
    assert by_inn.address == "Старый адрес"  # an empty cell erases nothing
    assert by_inn.industry == trade
    assert by_inn.status == ProcessingStatus.IN_PROGRESS  # only the pipeline moves a status
    assert by_inn.version == 1
    assert list(by_inn.contacts.values_list("name", flat=True)) == ["Иванов Иван"]
    assert "9999999" in by_inn.contact_keys
    assert by_name.address == "Новый адрес" and by_name.name == "ТСЖ «Ёлочка»"
    history = HistoryEntry.objects.filter(object_id=by_inn.pk, description__contains="импортом")
    assert history.count() == 1
    assert "+7 812 999-99-99" in history.get().comment
    assert not HistoryEntry.objects.filter(
        object_id=same.pk, description__contains="импортом"
    ).exists()
    assert Counterparty.objects.count() == 4
    # the same file again: nothing left to change
    again = configure(
        client, upload(client, "upd.csv", csv_bytes([header, *rows])), mapping, mode="update"
    )
    assert (again.preview["create"], again.preview["update"]) == (0, 0)
    assert ContactPerson.objects.filter(name="Иванов Иван").count() == 1


def test_create_mode_leaves_existing_companies_alone(org, client):
    existing = Counterparty.objects.create(name="ООО «Альфа»", inn="7801000001", phone="1")
    client.force_login(org["seller"])
    company_import = _import(
        client,
        ["Наименование", "ИНН", "Телефон"],
        [["ООО «Альфа»", "7801000001", "2"]],
        {"name": 0, "inn": 1, "phone": 2},
    )
    assert company_import.duplicate_count == 1
    existing.refresh_from_db()
    assert existing.phone == "1"


def test_a_repeated_row_in_the_file_is_reported(org, client):
    client.force_login(org["seller"])
    company_import = _import(
        client,
        ["Наименование", "ИНН"],
        [["ООО «Альфа»", "7801000001"], ["ООО «Альфа-2»", "7801000001"]],
        {"name": 0, "inn": 1},
    )
    assert company_import.created_count == 1
    assert company_import.errors[0]["reason"] == "повторяет строку 2 файла"


def test_the_run_writes_the_checked_plan_unless_the_base_moved(org, client):
    """GIVEN a checked import WHEN nothing changes before the confirmation THEN the run writes
    the stored plan; WHEN a company of the file is entered by hand and another is edited
    between the check and the confirmation THEN the run plans again: no duplicate, and the
    edited card gets the file's value on top of the edit."""
    from django.core.files.storage import default_storage

    from crm.services import counterparty_update

    edited = Counterparty.objects.create(name="ООО «Бета»", inn="7801000002", phone="1")
    header = ["Наименование", "ИНН", "Адрес"]
    rows = [["ООО «Альфа»", "7801000001", "Адрес А"], ["ООО «Бета»", "7801000002", "Адрес Б"]]
    mapping = {"name": 0, "inn": 1, "address": 2}
    client.force_login(org["seller"])
    company_import = configure(
        client, upload(client, "p.csv", csv_bytes([header, *rows])), mapping, mode="update"
    )
    plan_path = f"imports/plans/{company_import.pk}.json"
    assert default_storage.exists(plan_path)
    Counterparty.objects.create(name="ООО «Альфа»", inn="7801000001")
    counterparty_update(company_id=edited.pk, user=org["gendir"], version=0, values={"phone": "2"})
    company_import = confirm(client, company_import)
    assert company_import.state == ImportState.DONE
    assert Counterparty.objects.filter(inn="7801000001").count() == 1
    assert company_import.updated_count == 2 and company_import.created_count == 0
    edited.refresh_from_db()
    assert (edited.phone, edited.address) == ("2", "Адрес Б")
    assert not default_storage.exists(plan_path)
