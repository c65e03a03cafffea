"""Names everywhere: every picker of people shows «Фамилия Имя — должность», in surname order,
searchable by surname, in the app and in the admin; an employee is created on one screen."""

import json

from django.contrib.auth import get_user_model

from crm.forms import CompanyFilterForm
from tests.factories import UserFactory, employee
from workflow.models import Employee
from workflow.pickers import PersonChoiceField, people, person_label

User = get_user_model()


def _name(user, last, first, position=None):
    user.last_name, user.first_name = last, first
    user.save()
    if position is not None:
        Employee.objects.filter(user=user).update(position=position)
    return User.objects.select_related("employee").get(pk=user.pk)


def test_label_is_surname_name_position(org):
    seller = _name(org["seller"], "Петрова", "Анна", "Менеджер по аренде")
    assert person_label(seller) == "Петрова Анна — Менеджер по аренде"
    nameless = UserFactory(username="robot", first_name="", last_name="")
    assert person_label(nameless) == "robot"
    seller.is_active = False
    assert person_label(seller) == "Петрова Анна — Менеджер по аренде (не работает)"


def test_app_pickers_list_by_surname_with_positions(org):
    _name(org["seller"], "Яковлева", "Анна", "Менеджер")
    _name(org["seller2"], "Абрамов", "Борис", "Старший менеджер")
    field = PersonChoiceField(queryset=people().filter(username__in=["seller", "seller2"]))
    assert [label for _value, label in field.choices][1:] == [
        "Абрамов Борис — Старший менеджер",
        "Яковлева Анна — Менеджер",
    ]
    labels = [label for _v, label in CompanyFilterForm().fields["responsible"].choices][1:]
    assert labels == ["Абрамов Борис — Старший менеджер", "Яковлева Анна — Менеджер"]


def test_admin_autocomplete_answers_names_and_searches_by_surname(org, client):
    """GIVEN the absence form's employee picker (an autocomplete) WHEN an administrator types
    a surname THEN the answer lists «Фамилия Имя — должность», not logins."""
    _name(org["seller"], "Кржижановская", "Анна", "Менеджер по аренде")
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "workflow",
            "model_name": "absence",
            "field_name": "employee",
            "term": "кржиж",
        },
    )
    results = json.loads(response.content)["results"]
    assert [r["text"] for r in results] == ["Кржижановская Анна — Менеджер по аренде"]
    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "crm",
            "model_name": "counterparty",
            "field_name": "responsible",
            "term": "Кржижановская Анна",
        },
    )
    assert [r["text"] for r in json.loads(response.content)["results"]] == [
        "Кржижановская Анна — Менеджер по аренде"
    ]


def test_admin_selects_show_names(org, client):
    """GIVEN an absence with a deputy WHEN its admin page opens THEN the chosen employee and
    deputy show by name and position; the list shows names too."""
    from tests.factories import AbsenceFactory

    _name(org["seller"], "Петрова", "Анна", "Менеджер")
    _name(org["seller2"], "Орлов", "Олег", "Менеджер")
    absence = AbsenceFactory(
        employee=org["seller"], deputy=org["seller2"], starts_on="2026-01-12", ends_on="2026-01-16"
    )
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get(f"/admin/workflow/absence/{absence.pk}/change/").content.decode()
    assert "Петрова Анна — Менеджер" in page and "Орлов Олег — Менеджер" in page
    listing = client.get("/admin/workflow/absence/").content.decode()
    assert "Петрова Анна — Менеджер" in listing
    page = client.get(f"/admin/workflow/department/{org['departments']['sales'].pk}/change/")
    assert page.status_code == 200


def test_an_employee_is_created_on_one_screen(org, client):
    """GIVEN the administrator adds a user WHEN she fills login, surname, name, password,
    department, position and roles on the first screen and saves once THEN the employee
    exists with all of it and shows by name in pickers."""
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get("/admin/auth/user/add/").content.decode()
    assert 'name="last_name"' in page and 'name="employee-0-position"' in page
    assert "absences-TOTAL_FORMS" not in page
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "novikova",
            "last_name": "Новикова",
            "first_name": "Вера",
            "email": "novikova@argo.example",
            "usable_password": "true",
            "password1": "Sekret-Pass-2026!",
            "password2": "Sekret-Pass-2026!",
            "employee-TOTAL_FORMS": "1",
            "employee-INITIAL_FORMS": "0",
            "employee-MIN_NUM_FORMS": "0",
            "employee-MAX_NUM_FORMS": "1",
            "employee-0-department": org["departments"]["sales"].pk,
            "employee-0-position": "Менеджер по продажам",
            "employee-0-roles": ["manager"],
            "employee-0-phone": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.select_related("employee").get(username="novikova")
    assert (user.last_name, user.first_name) == ("Новикова", "Вера")
    assert user.employee.department == org["departments"]["sales"]
    assert user.employee.roles == ["manager"]
    assert person_label(user) == "Новикова Вера — Менеджер по продажам"
    assert user.check_password("Sekret-Pass-2026!")


def test_names_are_required_on_the_first_screen(org, client):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "nameless",
            "usable_password": "false",
            "employee-TOTAL_FORMS": "0",
            "employee-INITIAL_FORMS": "0",
            "employee-MIN_NUM_FORMS": "0",
            "employee-MAX_NUM_FORMS": "1",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="nameless").exists()
    employee("unused")  # the factory still works without the admin
