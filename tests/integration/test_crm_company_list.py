"""The company list: search that survives quotes and ё, finds phones and emails, puts an exact
INN or name first; sortable columns; a capped total; indexes that match the queries."""

import pytest
from django.db import connection

from argo_docs import paging
from crm import registry, selectors
from crm.models import ContactPerson, Counterparty, CounterpartyCategory
from crm.search import contact_keys
from crm.services import contact_person_save


def company(name, **fields):
    fields.setdefault("category", CounterpartyCategory.CLIENT)
    obj = Counterparty.objects.create(name=name, **fields)
    obj.contact_keys = contact_keys(phone=obj.phone, email=obj.email)
    obj.save(update_fields=["contact_keys"])
    return obj


def names(client, **params):
    response = client.get("/crm/", params)
    assert response.status_code == 200
    return [c.name for c in response.context["page"].object_list]


@pytest.fixture
def base(org):
    romashka = company("ООО «Ромашка»", inn="7801000001", phone="+7 (812) 400-10-01")
    company("ТСЖ «Ёлочка»", inn="7801000002", email="Office@Elochka.example")
    company("Ромашка-Сервис", inn="7801000011")
    company('ООО "Берёзка"', inn="7802000003")
    contact_person_save(
        company_id=romashka.pk,
        user=org["gendir"],
        name="Лебедева Наталья",
        phones=["8 921 555-44-33"],
        emails=["n.lebedeva@romashka.example"],
    )
    return romashka


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("«Ромашка»", ["ООО «Ромашка»", "Ромашка-Сервис"]),
        ('"ромашка"', ["ООО «Ромашка»", "Ромашка-Сервис"]),
        ("ооо ромашка", ["ООО «Ромашка»"]),
        ("елочка", ["ТСЖ «Ёлочка»"]),
        ("ЁЛОЧКА", ["ТСЖ «Ёлочка»"]),
        ("берёзка", ['ООО "Берёзка"']),
        ("березка", ['ООО "Берёзка"']),
        ("8 812 400 10 01", ["ООО «Ромашка»"]),
        ("+7 (812) 400-10-01", ["ООО «Ромашка»"]),
        ("400-10-01", ["ООО «Ромашка»"]),
        ("89215554433", ["ООО «Ромашка»"]),
        ("office@elochka.example", ["ТСЖ «Ёлочка»"]),
        ("N.Lebedeva@romashka.example", ["ООО «Ромашка»"]),
        ("лебедева", ["ООО «Ромашка»"]),
        ("7802", ['ООО "Берёзка"']),
        ("нет такой", []),
    ],
)
def test_search(org, client, base, query, expected):
    """GIVEN companies with «», quotes, ё, phones, emails and a contact person WHEN the list is
    searched THEN the matching companies are found whatever the quotes, case, ё/е or phone
    formatting."""
    client.force_login(org["seller"])
    assert sorted(names(client, q=query)) == sorted(expected)


def test_exact_inn_and_exact_name_come_first(org, client, base):
    """GIVEN «Ромашка-Сервис» sorts before «ООО «Ромашка»» by name WHEN the user searches
    «Ромашка» THEN the exact name (its legal form aside) comes first, marked; an exact INN
    comes first among companies whose INN starts the same way."""
    client.force_login(org["seller"])
    response = client.get("/crm/", {"q": "ромашка"})
    assert [c.name for c in response.context["page"].object_list] == [
        "ООО «Ромашка»",
        "Ромашка-Сервис",
    ]
    assert "точное совпадение" in response.content.decode()
    company("ООО «Первая»", inn="780100000199")
    assert names(client, q="7801000001")[0] == "ООО «Ромашка»"
    assert names(client, q="7801000001", sort="-name")[0] == "ООО «Ромашка»"


def test_sortable_columns_and_yo_sorts_with_ye(org, client):
    """GIVEN companies named with ё and е, with managers WHEN sorted by name THEN ё sorts as е
    (Еда, Ёжик, Жук); by name descending, by manager, by INN, as the header links say."""
    company("Жук", inn="7800000003", responsible=org["seller2"])
    company("Ёжик", inn="7800000001", responsible=org["seller"])
    company("Еда", inn="7800000002")
    client.force_login(org["seller"])
    assert names(client) == ["Еда", "Ёжик", "Жук"]
    assert names(client, sort="-name") == ["Жук", "Ёжик", "Еда"]
    assert names(client, sort="inn") == ["Ёжик", "Еда", "Жук"]
    org["seller"].last_name, org["seller2"].last_name = "Яковлева", "Абрамова"
    org["seller"].save()
    org["seller2"].save()
    assert names(client, sort="manager") == ["Жук", "Ёжик", "Еда"]
    response = client.get("/crm/", {"sort": "name"})
    page = response.content.decode()
    assert 'data-direction="asc"' in page and "sort=-name" in page
    assert names(client, sort="bogus") == ["Еда", "Ёжик", "Жук"]


def test_total_is_shown_and_capped(org, client, monkeypatch):
    """GIVEN 7 companies WHEN the list opens THEN it says 7; with a cap of 5 (10 000 in
    production) it says «более 5» without counting further."""
    for i in range(7):
        company(f"ООО «Компания {i}»")
    client.force_login(org["seller"])
    response = client.get("/crm/")
    assert response.context["total"] == 7
    monkeypatch.setattr(selectors, "COUNT_CAP", 5)
    response = client.get("/crm/")
    assert response.context["capped"] is True
    assert "более 5" in response.content.decode()
    assert response.context["page"].paginator.count == 5


def test_a_search_counts_to_its_own_cap(org, client, monkeypatch):
    """GIVEN 7 matching companies and a search cap of 3 (1 000 in production) WHEN someone
    searches THEN the total reads «более 3» while the plain list still counts all 7."""
    for i in range(7):
        company(f"ООО «Компания {i}»")
    client.force_login(org["seller"])
    monkeypatch.setattr(paging, "SEARCH_COUNT_CAP", 3)
    response = client.get("/crm/", {"q": "Компания"})
    assert response.context["capped"] is True and "более 3" in response.content.decode()
    assert client.get("/crm/").context["total"] == 7


def test_a_search_of_quotes_and_dashes_alone_lists_every_company(org, client):
    """GIVEN two companies WHEN someone searches for «» or "" alone THEN the list opens (it
    used to fail with a server error) and shows both, as with no search."""
    company("ООО «Альфа»")
    company("ООО «Бета»")
    client.force_login(org["seller"])
    for text in ("«»", '""', "« »"):
        response = client.get("/crm/", {"q": text})
        assert response.status_code == 200, text
        assert response.content.decode().count('data-testid="company-row"') == 2, text


def test_a_row_shows_the_company_as_people_read_it(org, client):
    """GIVEN a client with markup in its name, a manager and a last contact, and a contractor with
    neither THEN the client's row links to its card with the name escaped, its category, INN,
    pipeline status, manager and the contact's date; the supplier's row has no status badge, no
    manager and «—» for the contact."""
    from django.utils import timezone

    contacted = timezone.now()
    client_company = company(
        "<b>ООО «Альфа & Ко»</b>",
        inn="7801000001",
        responsible=org["seller"],
        last_communication_at=contacted,
    )
    company("ООО «Поставщик»", category=CounterpartyCategory.CONTRACTOR)
    client.force_login(org["seller"])
    rows = client.get("/crm/").content.decode().split('<tr data-testid="company-row">')[1:]
    first = next(row for row in rows if "Альфа" in row)
    assert f'href="{client_company.get_absolute_url()}">' in first
    assert "&lt;b&gt;ООО «Альфа &amp; Ко»&lt;/b&gt;" in first and "<b>" not in first
    assert "Клиент" in first and "7801000001" in first
    assert '<span class="badge text-bg-light border">Импортирован</span>' in first
    assert org["seller"].get_full_name() in first
    assert timezone.localtime(contacted).strftime("%d.%m.%Y") in first
    supplier = next(row for row in rows if "Поставщик" in row)
    assert "badge" not in supplier and supplier.count("—") == 1


@pytest.mark.parametrize("rows", [10, 60])
def test_searching_runs_constant_queries(org, client, rows, django_assert_max_num_queries):
    for i in range(rows):
        company(f"ООО «Ромашка {i}»", responsible=org["seller"])
    client.force_login(org["seller"])
    with django_assert_max_num_queries(16):
        response = client.get("/crm/", {"q": "ромашка", "sort": "manager"})
    assert len(response.context["page"].object_list) == min(rows, 50)


def _plan(sql, params, *, bitmap: bool) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if bitmap:  # a search reads the index's matches, not the whole index in order
            cursor.execute("SET LOCAL enable_indexscan = off")
        else:  # a sorted page comes in index order, not sorted afterwards
            cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(r[0] for r in cursor.fetchall())


@pytest.mark.parametrize(
    ("params", "index"),
    [
        ({"q": "ромашка"}, "counterparty_name_key_trgm"),
        ({"q": "8 921 555-44-33"}, "counterparty_contacts_trgm"),
        ({"q": "7801"}, "counterparty_inn_prefix"),
        ({}, "counterparty_sort_name"),
    ],
)
def test_the_list_queries_use_indexes_on_their_own_expressions(org, base, params, index):
    """GIVEN the list's search and default sort WHEN PostgreSQL plans them (sequential scans
    discouraged, as on a big table) THEN it uses the index built on the very expression the
    query filters or sorts by."""
    qs = selectors.companies(**params)[:50]
    sql, sql_params = qs.query.sql_with_params()
    assert index in _plan(sql, sql_params, bitmap=bool(params))


def test_a_registered_search_replaces_the_built_in_one(org, client, base):
    """GIVEN another search registered (as the full-text search will be) WHEN the list is
    searched THEN that search decides."""

    def only_elochka(qs, text):
        from django.db.models import Value

        return qs.filter(inn="7801000002").annotate(search_rank=Value(0))

    registry.register_company_search(only_elochka)
    try:
        client.force_login(org["seller"])
        assert names(client, q="ромашка") == ["ТСЖ «Ёлочка»"]
    finally:
        registry.unregister_company_search(only_elochka)
    assert "ТСЖ «Ёлочка»" not in names(client, q="ромашка")


def test_contact_keys_follow_contact_edits(org, base):
    contact = ContactPerson.objects.get(company=base)
    contact_person_save(
        company_id=base.pk, contact_id=contact.pk, user=org["gendir"], name="Лебедева Наталья"
    )
    base.refresh_from_db()
    assert "79215554433" not in base.contact_keys
    assert "78124001001" in base.contact_keys
