"""The company card: editing with a permission and a version check, contact persons, the
communications log, the pipeline only for clients, and only the letters the viewer may open."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from crm.models import ContactPerson, Counterparty, CounterpartyCategory, Industry
from crm.services import StaleEdit, counterparty_update
from crm.services.contact import communication_add
from workflow.models import HistoryEntry


@pytest.fixture
def client_company(org):
    return Counterparty.objects.create(
        name="ООО «Альфа»",
        inn="7801000001",
        category=CounterpartyCategory.CLIENT,
        responsible=org["seller"],
    )


def _form(company, **changes):
    data = {
        "version": company.version,
        "name": company.name,
        "category": company.category,
        "inn": company.inn,
        "kpp": company.kpp,
        "industry": company.industry_id or "",
        "new_industry": "",
        "phone": company.phone,
        "email": company.email,
        "address": company.address,
        "comment": company.comment,
    }
    data.update(changes)
    return data


def test_card_editing_permissions(org, client, client_company):
    """GIVEN seller's client WHEN anonymous → login; an employee of another department (the
    lawyer) and another manager see the card without «Изменить» and get 404 on the edit page
    and on a forged POST; the responsible manager edits; the head of sales edits and also
    reassigns the manager."""
    url = f"/crm/companies/{client_company.pk}/edit/"
    assert client.get(url).status_code == 302
    for outsider in (org["lawyer"], org["seller2"]):
        client.force_login(outsider)
        card = client.get(f"/crm/companies/{client_company.pk}/").content.decode()
        assert 'data-testid="company-edit"' not in card
        assert client.get(url).status_code == 404
        assert client.post(url, _form(client_company, phone="1")).status_code == 404
    client_company.refresh_from_db()
    assert client_company.phone == ""

    client.force_login(org["seller"])
    page = client.get(url)
    assert page.status_code == 200 and "responsible" not in page.context["form"].fields
    response = client.post(url, _form(client_company, phone="+7 812 111-22-33"))
    assert response.status_code == 302
    client_company.refresh_from_db()
    assert client_company.phone == "+7 812 111-22-33" and client_company.version == 1
    entry = HistoryEntry.objects.filter(object_id=client_company.pk).latest("id")
    assert entry.description == "Карточка изменена: телефон"
    assert "— → +7 812 111-22-33" in entry.comment

    client.force_login(org["sales_head"])
    response = client.post(
        url, _form(client_company, responsible=org["seller2"].pk, new_industry="Торговля")
    )
    assert response.status_code == 302
    client_company.refresh_from_db()
    assert client_company.responsible == org["seller2"]
    assert client_company.industry == Industry.objects.get(name="Торговля")


def test_a_manager_cannot_reassign_through_the_service(org, client_company):
    with pytest.raises(PermissionDenied):
        counterparty_update(
            company_id=client_company.pk,
            user=org["seller"],
            version=0,
            values={"responsible": org["seller2"]},
        )


def test_the_registrar_edits_a_counterparty_nobody_is_responsible_for(org, client):
    body = Counterparty.objects.create(name="ГУ МЧС", category=CounterpartyCategory.GOVERNMENT)
    client.force_login(org["office"])
    response = client.post(
        f"/crm/companies/{body.pk}/edit/", _form(body, address="Санкт-Петербург, Мойка, 85")
    )
    assert response.status_code == 302
    body.refresh_from_db()
    assert body.address == "Санкт-Петербург, Мойка, 85"


def test_bad_input_gets_a_message_and_keeps_what_was_typed(org, client, client_company):
    Counterparty.objects.create(name="ООО «Другая»", inn="7801000002")
    client.force_login(org["seller"])
    url = f"/crm/companies/{client_company.pk}/edit/"
    response = client.post(url, _form(client_company, inn="123", address="Новый адрес"))
    assert response.status_code == 400
    assert "ИНН состоит из 10 или 12 цифр." in response.content.decode()
    assert response.context["form"]["address"].value() == "Новый адрес"
    response = client.post(url, _form(client_company, inn="7801000002"))
    assert "Контрагент с таким ИНН/КПП уже есть в базе." in response.content.decode()
    response = client.post(url, _form(client_company, name="  "))
    assert response.status_code == 400


def test_an_edit_over_a_newer_version_is_refused_and_the_input_kept(org, client, client_company):
    """GIVEN the seller opened the form WHEN the head saves first THEN the seller's save is
    refused with a message naming who changed the card; her input stays in the form with the
    new version, and saving again applies it."""
    client.force_login(org["seller"])
    url = f"/crm/companies/{client_company.pk}/edit/"
    opened = _form(client_company, address="Адрес менеджера")
    counterparty_update(
        company_id=client_company.pk,
        user=org["sales_head"],
        version=0,
        values={"phone": "+7 812 000-00-00"},
    )
    response = client.post(url, opened)
    assert response.status_code == 400
    assert "Пока вы редактировали, карточку изменил" in response.content.decode()
    form = response.context["form"]
    assert form["address"].value() == "Адрес менеджера"
    assert str(form["version"].value()) == "1"
    client_company.refresh_from_db()
    assert client_company.address == ""
    assert (
        client.post(url, {**opened, "version": 1, "phone": "+7 812 000-00-00"}).status_code == 302
    )
    client_company.refresh_from_db()
    assert client_company.address == "Адрес менеджера"


def test_two_people_saving_the_same_version_at_once_one_wins(transactional_db):
    """GIVEN two people who opened version 0 WHEN both save at the same moment (real threads,
    real row locks) THEN one edit is applied and the other is refused, never both silently."""
    from tests.factories import small_org

    org = small_org()
    company = Counterparty.objects.create(
        name="ООО «Гонка»", category=CounterpartyCategory.CLIENT, responsible=org["seller"]
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def save(user, phone):
        try:
            barrier.wait()
            counterparty_update(
                company_id=company.pk, user=user, version=0, values={"phone": phone}
            )
            outcomes.append("saved")
        except StaleEdit:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(org["seller"], "111")),
        threading.Thread(target=save, args=(org["sales_head"], "222")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["saved", "stale"]
    company.refresh_from_db()
    assert company.version == 1 and company.phone in ("111", "222")


def test_contact_persons_with_phones_and_emails(org, client, client_company):
    """GIVEN the card WHEN the manager adds two contact persons, each with several phones and
    emails, edits one and deletes the other THEN the card lists what is left and the list's
    search finds the company by the contact's phone; another department's employee cannot
    add one."""
    client.force_login(org["seller"])
    new = f"/crm/companies/{client_company.pk}/contacts/new/"
    response = client.post(
        new,
        {
            "name": "Лебедева Наталья",
            "position": "Директор",
            "phones": "+7 921 000-00-01\n+7 812 000-00-02",
            "emails": "n@alfa.example, director@alfa.example",
        },
    )
    assert response.status_code == 302
    client.post(new, {"name": "Орлов Пётр", "phones": "", "emails": ""})
    natalia, peter = ContactPerson.objects.filter(company=client_company).order_by("id")
    assert natalia.phones == ["+7 921 000-00-01", "+7 812 000-00-02"]
    assert natalia.emails == ["n@alfa.example", "director@alfa.example"]
    response = client.post(new, {"name": "Плохой", "emails": "не-почта"})
    assert response.status_code == 400 and "Проверьте адрес эл. почты" in response.content.decode()
    client.post(
        f"/crm/companies/{client_company.pk}/contacts/{natalia.pk}/",
        {"name": "Лебедева Наталья", "position": "Генеральный директор", "phones": "89210000001"},
    )
    client.post(f"/crm/companies/{client_company.pk}/contacts/{peter.pk}/delete/")
    card = client.get(f"/crm/companies/{client_company.pk}/").content.decode()
    assert "Генеральный директор" in card and card.count('data-testid="contact"') == 1
    listed = client.get("/crm/", {"q": "8 921 000 00 01"}).context["page"].object_list
    assert [c.name for c in listed] == ["ООО «Альфа»"]
    client.force_login(org["lawyer"])
    assert client.post(new, {"name": "Чужой"}).status_code == 404
    assert (
        client.post(f"/crm/companies/{client_company.pk}/contacts/{natalia.pk}/delete/").status_code
        == 404
    )


def test_communications_log_page(org, client, client_company):
    for i in range(12):
        communication_add(
            company=client_company, kind="call", author=org["seller"], summary=f"Звонок {i}"
        )
    client.force_login(org["lawyer"])
    card = client.get(f"/crm/companies/{client_company.pk}/").content.decode()
    assert "Показать все коммуникации" in card
    page = client.get(f"/crm/companies/{client_company.pk}/communications/").content.decode()
    assert "Звонок 0" in page and "Звонок 11" in page


@pytest.mark.parametrize(
    ("category", "pipeline"),
    [
        (CounterpartyCategory.CLIENT, True),
        (CounterpartyCategory.TENANT, True),
        (CounterpartyCategory.GOVERNMENT, False),
        (CounterpartyCategory.CONTRACTOR, False),
    ],
)
def test_the_pipeline_block_is_for_clients_only(org, client, category, pipeline):
    """GIVEN a company of each category WHEN its manager opens the card THEN the status and
    «Взять в обработку» appear for clients and tenants, not for government bodies and
    suppliers; a forged POST does not start anything for them."""
    company = Counterparty.objects.create(
        name="Организация", category=category, responsible=org["seller"]
    )
    client.force_login(org["seller"])
    card = client.get(f"/crm/companies/{company.pk}/").content.decode()
    assert ("Взять в обработку" in card) is pipeline
    assert ("Импортирован" in card) is pipeline
    response = client.post(f"/crm/companies/{company.pk}/take/", follow=True)
    company.refresh_from_db()
    assert (company.status == "in_progress") is pipeline
    if not pipeline:
        assert "Клиентский процесс ведётся только для клиентов." in response.content.decode()


def test_the_card_lists_only_the_letters_the_viewer_may_open(org, client, settings, tmp_path):
    """GIVEN a letter from a tenant routed to the seller WHEN an employee of another department
    opens the tenant's card THEN she sees the card but neither the thread nor the subject;
    the registrar, the seller and the general director see both, linked."""
    from correspondence.testing import build_world, register

    settings.MEDIA_ROOT = tmp_path
    world = build_world(org)
    letter = register(
        world["office"],
        entity=world["entity"],
        counterparty=world["tenant"],
        subject="Об аренде помещения 305",
        responsible=world["seller"],
    )
    url = f"/crm/companies/{world['tenant'].pk}/"
    client.force_login(world["outsider"])
    page = client.get(url)
    assert page.status_code == 200
    assert "Об аренде помещения 305" not in page.content.decode()
    assert page.context["correspondence"] == []
    for allowed in ("office", "seller", "gendir"):
        client.force_login(world[allowed])
        page = client.get(url).content.decode()
        assert "Об аренде помещения 305" in page, allowed
        assert letter.get_absolute_url() in page
